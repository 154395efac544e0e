package dev.skyward.classload;

import dev.skyward.testing.TestClasspath;
import java.util.List;
import java.util.stream.Collectors;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;

/** A JShell session holding a pool, as a notebook kernel holds one: cells in, values or exceptions out. */
final class Repl implements AutoCloseable {

    final JShell shell;
    final String poolId;

    /** Opens a pool of {@code nodes} local nodes in the session, with this JVM's classpath added to it. */
    Repl(JShell shell, int nodes) {
        this.shell = shell;
        TestClasspath.entries().forEach(shell::addToClasspath);
        eval("import dev.skyward.*;");
        eval("var pool = ComputePool.builder().name(\"repl\").nodes(" + nodes
                + ").console(false).output(OutputListener.SILENT).build();");
        String id = eval("pool.id()");
        this.poolId = id.substring(1, id.length() - 1);
    }

    /** Evaluates one cell and returns its value; fails the test on a compile error or an exception. */
    String eval(String source) {
        List<SnippetEvent> events = shell.eval(source);
        for (SnippetEvent e : events) {
            if (e.status() == Snippet.Status.REJECTED) {
                throw new AssertionError("JShell rejected " + source + ": " + shell.diagnostics(e.snippet())
                        .map(d -> d.getMessage(null)).collect(Collectors.joining("; ")));
            }
            if (e.exception() != null) {
                throw new AssertionError("JShell threw on " + source + ": " + messages(e.exception()), e.exception());
            }
        }
        return events.get(events.size() - 1).value();
    }

    /** Evaluates a cell that must throw, and returns what it threw. */
    EvalException failure(String source) {
        List<SnippetEvent> events = shell.eval(source);
        SnippetEvent last = events.get(events.size() - 1);
        if (!(last.exception() instanceof EvalException e)) {
            throw new AssertionError(source + " was expected to throw, but gave " + last.value() + " ("
                    + last.status() + ", " + last.exception() + ")");
        }
        return e;
    }

    static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c instanceof EvalException ee ? ee.getExceptionClassName() : c.getClass().getName())
                    .append(": ").append(c.getMessage()).append('\n');
        }
        return sb.toString();
    }

    @Override
    public void close() {
        eval("pool.close();");
        shell.close();
    }
}
