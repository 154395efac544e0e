package dev.skyward.classload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.testkit.Leaks;
import java.util.List;
import jdk.jshell.JShell;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code jshell} tool's way: cells run in a separate JVM that JShell starts (the JDI engine, no
 * JVM flags beyond the debugger's), and a redefinition that keeps a method's or class's shape
 * replaces the code of the existing class in place. Tasks on every node must follow it, also where the
 * changed code is reached only indirectly.
 */
class JShellRedefinitionTest {

    private static Repl repl;
    private static List<Integer> ports;

    @BeforeAll
    static void openShellAndPool() {
        repl = new Repl(JShell.builder().executionEngine("jdi").build(), 2);
        ports = Leaks.agentPorts(repl.poolId);
    }

    @AfterAll
    static void closeEverything() {
        repl.close();
        Leaks.assertNothingLeft(repl.poolId, ports);
    }

    @Test
    void aRedefinedMethodRunsInItsNewVersionOnEveryNode() {
        repl.eval("int square(int x) { return x * x; }");
        assertThat(repl.eval("pool.run(ctx -> square(3))")).isEqualTo("9");
        assertThat(repl.eval("pool.broadcast(ctx -> square(3))")).isEqualTo("[9, 9]");

        repl.eval("int square(int x) { return 1000 + x * x; }");
        assertThat(repl.eval("pool.run(ctx -> square(3))")).isEqualTo("1009");
        assertThat(repl.eval("pool.broadcast(ctx -> square(3))")).isEqualTo("[1009, 1009]");
    }

    @Test
    void codeReachedOnlyIndirectlyFollowsRedefinitionToo() {
        repl.eval("int base() { return 1; }");
        repl.eval("class Calc implements java.io.Serializable { int get() { return base() * 10; } }");
        repl.eval("Calc calc = new Calc();");
        repl.eval("int viaCalc() { return calc.get() + 1; }");
        assertThat(repl.eval("pool.broadcast(ctx -> viaCalc())")).isEqualTo("[11, 11]");

        repl.eval("int base() { return 2; }");
        assertThat(repl.eval("pool.broadcast(ctx -> viaCalc())")).isEqualTo("[21, 21]");
        repl.eval("class Calc implements java.io.Serializable { int get() { return base() * 100; } }");
        repl.eval("calc = new Calc();");
        assertThat(repl.eval("pool.broadcast(ctx -> viaCalc())")).isEqualTo("[201, 201]");
    }

    @Test
    void variablesStillArriveAfterANewGeneration() {
        repl.eval("int k = 7;");
        repl.eval("int times(int v) { return v * k; }");
        assertThat(repl.eval("pool.broadcast(ctx -> times(2))")).isEqualTo("[14, 14]");
        repl.eval("int times(int v) { return v * k + 1; }");
        assertThat(repl.eval("pool.broadcast(ctx -> times(2))")).isEqualTo("[15, 15]");
        repl.eval("k = 8;");
        assertThat(repl.eval("pool.broadcast(ctx -> times(2))")).isEqualTo("[17, 17]");
    }
}
