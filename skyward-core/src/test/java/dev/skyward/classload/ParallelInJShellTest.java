package dev.skyward.classload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.testkit.Leaks;
import java.util.List;
import jdk.jshell.JShell;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The executor, the unordered map and streamed results from lambdas typed into a real JShell
 * session: their snippet classes and the top-level variables they read travel as for {@code run}.
 */
class ParallelInJShellTest {

    private static Repl repl;
    private static List<Integer> ports;

    @BeforeAll
    static void openShellAndPool() {
        repl = new Repl(JShell.builder().executionEngine("local").build(), 2);
        ports = Leaks.agentPorts(repl.poolId);
        repl.eval("import dev.skyward.parallel.*;");
        repl.eval("import java.util.concurrent.*;");
    }

    @AfterAll
    static void closeEverything() {
        repl.close();
        Leaks.assertNothingLeft(repl.poolId, ports);
    }

    @Test
    void anExecutorTaskTypedInASnippetReadsTheSnippetsVariables() {
        repl.eval("int base = 40;");
        repl.eval("ExecutorService exec = pool.executor();");
        assertThat(repl.eval("exec.submit((RemoteCallable<Integer>) () -> base + 2).get()")).isEqualTo("42");
        assertThat(repl.eval("exec.invokeAll(java.util.List.of((RemoteCallable<Integer>) () -> base, "
                + "(RemoteCallable<Integer>) () -> base + 1)).size()")).isEqualTo("2");
        repl.eval("base = 1;");
        assertThat(repl.eval("((PoolExecutor) exec).supplyAsync(() -> base * 10).join()")).isEqualTo("10");
    }

    @Test
    void anUnorderedMapAndAStreamedTaskTypedInSnippetsRun() {
        repl.eval("int factor = 3;");
        assertThat(repl.eval("pool.mapUnordered(java.util.List.of(1, 2, 3, 4), (ctx, x) -> x * factor)"
                + ".mapToInt(Integer::intValue).sum()")).isEqualTo("30");
        assertThat(repl.eval("pool.stream(ctx -> java.util.stream.IntStream.range(0, 5).map(i -> i * factor).boxed()"
                + ".iterator()).toList()")).isEqualTo("[0, 3, 6, 9, 12]");
    }
}
