package dev.skyward.classload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.testkit.Leaks;
import java.util.List;
import java.util.Map;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A notebook kernel whose loader defines cells from a private map and serves no resources for them
 * (JJava's way, see {@link MapLoaderDelegate}); the library itself is loaded by that loader, as after
 * JJava's {@code %classpath}. Everything a notebook does works: values, broadcast, variables, methods,
 * records, an unserializable cell result followed by unrelated tasks.
 */
class MapLoaderKernelTest {

    private static MapLoaderDelegate.Provider engine;
    private static Repl repl;
    private static List<Integer> ports;

    @BeforeAll
    static void openKernelAndPool() {
        engine = new MapLoaderDelegate.Provider(true);
        repl = new Repl(JShell.builder().executionEngine(engine, Map.of()).build(), 2);
        ports = Leaks.agentPorts(repl.poolId);
    }

    @AfterAll
    static void closeEverything() {
        repl.close();
        Leaks.assertNothingLeft(repl.poolId, ports);
    }

    @Test
    void theKernelLoaderReallyHidesCellBytesAndHoldsTheLibrary() {
        MapLoaderDelegate.CellLoader loader = engine.delegate.loader;
        String cell = engine.delegate.declaredNames().stream().filter(n -> n.startsWith("REPL.")).findFirst().orElseThrow();
        assertThat(loader.getResource(cell.replace('.', '/') + ".class")).isNull();
        assertThat(loader.getResourceAsStream(cell.replace('.', '/') + ".class")).isNull();
        assertThat(repl.eval("dev.skyward.ComputePool.class.getClassLoader().getClass().getName()"))
                .contains("MapLoaderDelegate");
    }

    @Test
    void aLoaderThatGivesNoWayToItsBytesFailsTheTaskEarlyNamingTheLoader() {
        Repl opaque = new Repl(JShell.builder().executionEngine(new MapLoaderDelegate.Provider(false), Map.of()).build(), 1);
        List<Integer> opaquePorts = Leaks.agentPorts(opaque.poolId);
        try {
            EvalException e = opaque.failure("pool.run(ctx -> 1)");
            assertThat(e.getExceptionClassName()).isEqualTo("dev.skyward.TaskSerializationException");
            assertThat(e.getMessage()).contains("cannot send class REPL.")
                    .contains("its class loader (" + MapLoaderDelegate.CellLoader.class.getName() + ")")
                    .contains("getResourceAsStream returned null");
        } finally {
            opaque.close();
        }
        Leaks.assertNothingLeft(opaque.poolId, opaquePorts);
    }

    @Test
    void cellsRunOnEveryNode() {
        assertThat(repl.eval("pool.run(ctx -> 21 * 2)")).isEqualTo("42");
        assertThat(repl.eval("pool.broadcast(ctx -> ctx.rank() * 10)")).isEqualTo("[0, 10]");
    }

    @Test
    void variablesMethodsAndRecordsOfCellsTravel() {
        repl.eval("int base = 5;");
        repl.eval("int square(int v) { return v * v + base; }");
        repl.eval("record Pair(int a, int b) implements java.io.Serializable { int sum() { return a + b; } }");
        repl.eval("Pair pair = new Pair(3, 4);");
        assertThat(repl.eval("pool.broadcast(ctx -> square(pair.sum()) + ctx.rank())")).isEqualTo("[54, 55]");
        repl.eval("base = 6;");
        assertThat(repl.eval("pool.run(ctx -> square(1))")).isEqualTo("7");
        assertThat(repl.eval("pool.run(ctx -> new Pair(ctx.rank(), 1))")).isEqualTo("Pair[a=0, b=1]");
    }

    @Test
    void afterARedefinitionNodesComputeWhatTheCellComputesHere() {
        repl.eval("int unit() { return 1; }");
        repl.eval("class Meter implements java.io.Serializable { int read() { return unit() * 10; } }");
        repl.eval("Meter meter = new Meter();");
        repl.eval("int viaMeter() { return meter.read() + 1; }");
        assertThat(repl.eval("pool.broadcast(ctx -> viaMeter())")).isEqualTo("[11, 11]");

        // This kernel's JShell gives redefined code new class names; the nodes must agree with the cell.
        repl.eval("int unit() { return 2; }");
        repl.eval("meter = new Meter();");
        String here = repl.eval("viaMeter()");
        assertThat(here).isEqualTo("21");
        assertThat(repl.eval("pool.broadcast(ctx -> viaMeter())")).isEqualTo("[" + here + ", " + here + "]");
    }

    @Test
    void anUnserializableCellResultNeverFailsLaterTasks() {
        repl.eval("record Point(int x, int y) { }");
        assertThat(repl.eval("pool.run(ctx -> new Point(ctx.rank(), 7))")).isEqualTo("Point[x=0, y=7]");
        assertThat(repl.eval("pool.run(ctx -> 1)")).isEqualTo("1");
        assertThat(repl.eval("pool.broadcast(ctx -> ctx.rank())")).isEqualTo("[0, 1]");
    }
}
