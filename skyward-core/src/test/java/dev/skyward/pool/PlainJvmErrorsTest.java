package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.OutputListener;
import dev.skyward.TaskFailedException;
import dev.skyward.testing.TestClasspath;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import jdk.jshell.JShell;
import jdk.jshell.SnippetEvent;
import org.junit.jupiter.api.Test;

/**
 * A user's own exception comes back as itself — type, fields, message, cause, remote frames — in a
 * client JVM started with no flags at all, as {@code java -cp app.jar Main} and {@code jshell} start.
 */
class PlainJvmErrorsTest {

    @Test
    void anApplicationExceptionComesBackWithItsTypeAndFieldsInAJvmWithoutFlags() throws Exception {
        String out = TestClasspath.output(TestClasspath.plainJava(ThrowingProgram.class), 120);
        assertThat(out).contains("type=" + DataException.class.getName())
                .contains("code=17")
                .contains("message=row 17 is corrupt")
                .contains("cause=java.io.IOException: bad checksum")
                .contains("remoteFrame=true")
                .contains("suppressed=java.lang.IllegalStateException: also this")
                .contains("DONE");
    }

    @Test
    void anExceptionDeclaredInAJShellSnippetComesBackAsItselfInAJvmWithoutFlags() throws Exception {
        String out = TestClasspath.output(TestClasspath.plainJava(JShellThrowingProgram.class), 180);
        assertThat(out).contains("snippetType=").contains("$DataError")
                .contains("snippetCode=42")
                .contains("snippetMessage=bad row")
                .contains("cellMessage=task ").contains("$DataError: uncaught in the cell")
                .contains("cellRemoteFrames=true")
                .contains("cellMarker=true")
                .contains("DONE");
    }

    /** The user's exception: no public (String) constructor, a field of its own. */
    static final class DataException extends Exception {
        private static final long serialVersionUID = 1L;
        final int code;

        DataException(String message, int code, Throwable cause) {
            super(message, cause);
            this.code = code;
        }
    }

    public static final class ThrowingProgram {
        public static void main(String[] args) {
            try (ComputePool pool = ComputePool.builder().name("plain-errors").console(false)
                    .output(OutputListener.SILENT).build()) {
                try {
                    pool.run(ctx -> {
                        DataException e = new DataException("row 17 is corrupt", 17, new IOException("bad checksum"));
                        e.addSuppressed(new IllegalStateException("also this"));
                        throw e;
                    });
                } catch (TaskFailedException e) {
                    Throwable c = e.getCause();
                    System.out.println("type=" + c.getClass().getName());
                    if (c instanceof DataException d) {
                        System.out.println("code=" + d.code);
                    }
                    System.out.println("message=" + c.getMessage());
                    System.out.println("cause=" + c.getCause());
                    System.out.println("remoteFrame=" + Arrays.stream(c.getStackTrace())
                            .anyMatch(f -> f.getClassName().equals("dev.skyward.agent.TaskRunner")));
                    System.out.println("suppressed=" + (c.getSuppressed().length == 1 ? c.getSuppressed()[0] : "none"));
                }
            }
            System.out.println("DONE");
        }
    }

    public static final class JShellThrowingProgram {
        public static void main(String[] args) {
            try (JShell shell = JShell.builder().executionEngine("local").build()) {
                TestClasspath.entries().forEach(shell::addToClasspath);
                List<String> snippets = List.of(
                        "import dev.skyward.*;",
                        "class DataError extends Exception { final int code; DataError(String m, int code) { super(m); this.code = code; } }",
                        "var pool = ComputePool.builder().name(\"plain-jshell-errors\").console(false).output(OutputListener.SILENT).build();",
                        "Throwable caught = null;",
                        "try { pool.run(ctx -> { throw new DataError(\"bad row\", 42); }); } catch (TaskFailedException e) { caught = e.getCause(); }",
                        "System.out.println(\"snippetType=\" + caught.getClass().getName());",
                        "System.out.println(\"snippetCode=\" + (caught instanceof DataError d ? d.code : -1));",
                        "System.out.println(\"snippetMessage=\" + caught.getMessage());",
                        "pool.run(ctx -> { throw new DataError(\"uncaught in the cell\", 7); });",
                        "pool.close();");
                for (String s : snippets) {
                    for (SnippetEvent ev : shell.eval(s)) {
                        if (ev.exception() instanceof jdk.jshell.EvalException ee) {
                            // What JShell and the notebook kernels print: the top exception and its frames.
                            System.out.println("cellMessage=" + ee.getMessage());
                            List<String> frames = java.util.Arrays.stream(ee.getStackTrace())
                                    .map(f -> f.getClassName() + "." + f.getMethodName()).toList();
                            System.out.println("cellRemoteFrames=" + frames.stream().anyMatch(f -> f.startsWith("dev.skyward.agent.TaskRunner")));
                            System.out.println("cellMarker=" + frames.stream().anyMatch(f -> f.contains("node 0 above")));
                        } else if (ev.exception() != null) {
                            System.out.println("snippet failed: " + s + " -> " + ev.exception());
                        }
                        if (ev.status() == jdk.jshell.Snippet.Status.REJECTED) {
                            System.out.println("rejected: " + s + " " + shell.diagnostics(ev.snippet()).map(d -> d.getMessage(null)).toList());
                        }
                    }
                }
            }
            System.out.println("DONE");
        }
    }
}
