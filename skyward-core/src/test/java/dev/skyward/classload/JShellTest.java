package dev.skyward.classload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.testkit.Leaks;
import dev.skyward.testing.TestClasspath;
import java.util.List;
import java.util.stream.Collectors;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lambdas typed into a real JShell session (the jdk.jshell API, local execution engine, as notebooks
 * use it) run on the pool: their snippet classes are fetched by the nodes on demand, and top-level
 * variables they read arrive with their current values.
 */
class JShellTest {

    private static JShell shell;
    private static String poolId;
    private static List<Integer> ports;

    @BeforeAll
    static void openShellAndPool() {
        shell = JShell.builder().executionEngine("local").build();
        TestClasspath.entries().forEach(shell::addToClasspath);
        eval("import dev.skyward.*;");
        eval("var pool = ComputePool.builder().name(\"jshell\").console(false).output(OutputListener.SILENT).build();");
        poolId = unquote(eval("pool.id()"));
        ports = Leaks.agentPorts(poolId);
    }

    @AfterAll
    static void closeEverything() {
        eval("pool.close();");
        shell.close();
        Leaks.assertNothingLeft(poolId, ports);
    }

    @Test
    void aLambdaDefinedInASnippetRunsOnTheNode() {
        assertThat(eval("pool.run(ctx -> \"hello from rank \" + ctx.rank())")).isEqualTo("\"hello from rank 0\"");
        assertThat(eval("pool.run(ctx -> ProcessHandle.current().pid() != " + ProcessHandle.current().pid() + "L)"))
                .isEqualTo("true");
    }

    @Test
    void aTopLevelVariableArrivesWithItsValueAndFollowsReassignment() {
        eval("int x = 21;");
        assertThat(eval("pool.run(ctx -> x * 2)")).isEqualTo("42");
        eval("x = 50;");
        assertThat(eval("pool.run(ctx -> x + 1)")).isEqualTo("51");
        eval("String greeting = \"hi\";");
        assertThat(eval("pool.run(ctx -> greeting + \" \" + x)")).isEqualTo("\"hi 50\"");
    }

    @Test
    void typesDeclaredInSnippetsTravelBothWays() {
        eval("record Point(int x, int y) implements java.io.Serializable { int sum() { return x + y; } }");
        eval("Point p = new Point(3, 4);");
        assertThat(eval("pool.run(ctx -> p.sum())")).isEqualTo("7");
        assertThat(eval("pool.run(ctx -> new Point(ctx.rank(), 9))")).isEqualTo("Point[x=0, y=9]");
    }

    @Test
    void aVariableThatCannotTravelFailsLoudlyNamingIt() {
        eval("var socket = new java.net.Socket();");
        List<SnippetEvent> events = shell.eval("pool.run(ctx -> socket == null)");
        EvalException e = (EvalException) events.get(events.size() - 1).exception();
        assertThat(e).isNotNull();
        assertThat(e.getExceptionClassName()).isEqualTo("dev.skyward.TaskFailedException");
        String all = messages(e);
        assertThat(all).contains("JShell variable 'socket'").contains("java.net.Socket")
                .contains("does not implement java.io.Serializable");
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getMessage()).append('\n');
        }
        return sb.toString();
    }

    /** Evaluates one snippet and returns its value; fails the test on a compile error or an exception. */
    static String eval(String source) {
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

    private static String unquote(String s) {
        return s.substring(1, s.length() - 1);
    }
}
