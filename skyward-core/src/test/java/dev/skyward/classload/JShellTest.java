package dev.skyward.classload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.testkit.Leaks;
import java.util.List;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lambdas typed into a real JShell session (the jdk.jshell API, local execution engine and the JDK's
 * own snippet loader, as IJava uses them) run on the pool: the snippet classes their code reaches
 * travel with the first task that needs them on a node (the node asks for any other on demand), and
 * the top-level variables they read arrive with their current values; no other variable travels.
 */
class JShellTest {

    private static Repl repl;
    private static List<Integer> ports;

    @BeforeAll
    static void openShellAndPool() {
        repl = new Repl(JShell.builder().executionEngine("local").build(), 1);
        ports = Leaks.agentPorts(repl.poolId);
    }

    @AfterAll
    static void closeEverything() {
        repl.close();
        Leaks.assertNothingLeft(repl.poolId, ports);
    }

    @Test
    void aLambdaDefinedInASnippetRunsOnTheNode() {
        assertThat(repl.eval("pool.run(ctx -> \"hello from rank \" + ctx.rank())")).isEqualTo("\"hello from rank 0\"");
        assertThat(repl.eval("pool.run(ctx -> ProcessHandle.current().pid() != " + ProcessHandle.current().pid() + "L)"))
                .isEqualTo("true");
    }

    @Test
    void theSnippetClassesATaskReachesTravelWithItSoTheNodeAsksForNone() {
        repl.eval("int triple(int v) { return 3 * v; }");
        repl.eval("record Box(int v) implements java.io.Serializable { int tripled() { return triple(v); } }");
        repl.eval("var codeField = pool.getClass().getDeclaredField(\"code\");");
        repl.eval("codeField.setAccessible(true);");
        repl.eval("var code = (dev.skyward.classload.CodeServer) codeField.get(pool);");
        String before = repl.eval("code.snippetClassesRequested()");
        assertThat(repl.eval("pool.map(java.util.List.of(1, 2, 3), (ctx, x) -> new Box(x).tripled())")).isEqualTo("[3, 6, 9]");
        assertThat(repl.eval("pool.run(ctx -> new Box(5).tripled() + triple(1))")).isEqualTo("18");
        assertThat(repl.eval("code.snippetClassesRequested()")).as("requests for snippet classes").isEqualTo(before);
    }

    @Test
    void aTopLevelVariableArrivesWithItsValueAndFollowsReassignment() {
        repl.eval("int x = 21;");
        assertThat(repl.eval("pool.run(ctx -> x * 2)")).isEqualTo("42");
        repl.eval("x = 50;");
        assertThat(repl.eval("pool.run(ctx -> x + 1)")).isEqualTo("51");
        repl.eval("String greeting = \"hi\";");
        assertThat(repl.eval("pool.run(ctx -> greeting + \" \" + x)")).isEqualTo("\"hi 50\"");
    }

    @Test
    void variablesReadOnlyThroughMethodsAndLambdasTheTaskCallsTravelToo() {
        repl.eval("int offset = 100;");
        repl.eval("int shifted(int v) { return v + offset; }");
        repl.eval("java.util.function.IntUnaryOperator twice = (java.util.function.IntUnaryOperator & java.io.Serializable)"
                + " v -> shifted(v) * 2;");
        assertThat(repl.eval("pool.run(ctx -> twice.applyAsInt(1))")).isEqualTo("202");
        repl.eval("offset = 1000;");
        assertThat(repl.eval("pool.run(ctx -> twice.applyAsInt(1))")).isEqualTo("2002");
    }

    @Test
    void typesDeclaredInSnippetsTravelBothWays() {
        repl.eval("record Point(int x, int y) implements java.io.Serializable { int sum() { return x + y; } }");
        repl.eval("Point p = new Point(3, 4);");
        assertThat(repl.eval("pool.run(ctx -> p.sum())")).isEqualTo("7");
        assertThat(repl.eval("pool.run(ctx -> new Point(ctx.rank(), 9))")).isEqualTo("Point[x=0, y=9]");
    }

    @Test
    void aCellsResultThatCannotTravelNeverFailsLaterTasks() {
        repl.eval("record Plain(int a, int b) { }");
        // The cell's value lands in a hidden variable $N, which no later task reads.
        assertThat(repl.eval("pool.run(ctx -> new Plain(ctx.rank(), 7))")).isEqualTo("Plain[a=0, b=7]");
        repl.eval("Thread unrelated = new Thread();");
        assertThat(repl.eval("pool.run(ctx -> 1)")).isEqualTo("1");
        assertThat(repl.eval("pool.broadcast(ctx -> 2)")).isEqualTo("[2]");
    }

    @Test
    void aVariableThatCannotTravelFailsOnTheCallersThreadLikeACapturedLocal() {
        repl.eval("Thread th = new Thread();");
        EvalException variable = repl.failure("pool.run(ctx -> th.getName())");
        repl.eval("String viaLocal() { Thread local = new Thread(); return pool.run(ctx -> local.getName()); }");
        EvalException local = repl.failure("viaLocal()");

        assertThat(variable.getExceptionClassName()).isEqualTo("dev.skyward.TaskSerializationException")
                .isEqualTo(local.getExceptionClassName());
        assertThat(variable.getMessage()).contains("JShell variable 'th' (java.lang.Thread)")
                .contains("does not implement java.io.Serializable");
        assertThat(local.getMessage()).contains("java.lang.Thread").contains("does not implement java.io.Serializable");
        // Raised by the check before sending, not rebuilt from a node's answer.
        assertThat(List.of(variable.getStackTrace())).anySatisfy(f ->
                assertThat(f.getClassName()).isEqualTo(SnippetReach.class.getName()));
        assertThat(Repl.messages(variable)).doesNotContain("NoClassDefFoundError");

        repl.eval("var socket = new java.net.Socket();");
        assertThat(repl.failure("pool.run(ctx -> socket == null)").getMessage())
                .contains("JShell variable 'socket'").contains("java.net.Socket");
    }
}
