package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skyward.ComputePool;
import dev.skyward.NodeInfo;
import dev.skyward.NodeLostException;
import dev.skyward.OutputListener;
import dev.skyward.PoolEvent;
import dev.skyward.Replacement;
import dev.skyward.testkit.Leaks;
import dev.skyward.testing.TestClasspath;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A node that dies is noticed at once on the local provider (the launcher watches the process), and
 * within the heartbeat grace when it only stops answering; the error says what happened, and the
 * pool's node list and events show the node as lost. These pools do not replace lost nodes
 * ({@link Replacement#NEVER}), so the loss itself is what the tests see; HealingPoolTest covers
 * replacement and retries.
 */
class NodeDeathTest {

    @Test
    void anAgentThatExitsFailsItsTaskWithinASecondWithTheExitCodeAndItsLastWords() {
        // The race the issue saw (2 runs in 11 waited ~30 s): repeat it.
        for (int round = 0; round < 3; round++) {
            List<PoolEvent> events = new CopyOnWriteArrayList<>();
            ComputePool pool = ComputePool.builder().name("exit-test").nodes(2).console(false)
                    .replacement(Replacement.NEVER)
                    .output(OutputListener.SILENT).listener(events::add).build();
            List<Integer> ports = Leaks.agentPorts(pool);
            try (pool) {
                long start = System.nanoTime();
                NodeLostException e = catchThrowableOfType(NodeLostException.class, () -> pool.node(1).run(ctx -> {
                    // What a crashing native library or the JVM itself writes: straight to the process's stderr.
                    PrintStream raw = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
                    raw.println("fatal: libcuda gave up on device 0");
                    System.exit(3);
                    return 0;
                }));
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(e).as("no NodeLostException").isNotNull();
                assertThat(tookMs).as("noticed after %d ms: %s", tookMs, e.getMessage()).isLessThan(3_000);
                assertThat(e.rank()).isEqualTo(1);
                assertThat(e.getMessage()).contains("exited with code 3").contains("fatal: libcuda gave up on device 0");

                NodeInfo lost = pool.nodes().get(1);
                assertThat(lost.isLost()).isTrue();
                assertThat(lost.lostReason()).contains("exited with code 3");
                assertThat(pool.nodes().get(0).isLost()).isFalse();
                assertThat(events).filteredOn(ev -> ev instanceof PoolEvent.NodeLost l && l.node().rank() == 1)
                        .singleElement().satisfies(ev -> assertThat(((PoolEvent.NodeLost) ev).reason())
                                .contains("exited with code 3"));

                // The rest of the pool goes on; the lost node refuses at once, saying why.
                int rank = pool.run(ctx -> ctx.rank());
                assertThat(rank).isZero();
                NodeLostException again = catchThrowableOfType(NodeLostException.class, () -> pool.node(1).run(ctx -> 1));
                assertThat(again).hasMessageContaining("exited with code 3");
            }
            Leaks.assertNothingLeft(pool, ports);
        }
    }

    @Test
    void anAgentKilledBySignalIsReportedWithTheSignal() throws Exception {
        ComputePool pool = ComputePool.builder().name("kill-test").console(false).output(OutputListener.SILENT)
                .replacement(Replacement.NEVER).build();
        List<Integer> ports = Leaks.agentPorts(pool);
        try (pool) {
            CompletableFuture<Integer> running = pool.submit(ctx -> {
                Thread.sleep(60_000);
                return 1;
            });
            Thread.sleep(300);
            ProcessHandle agent = Leaks.agentProcesses(pool.id()).get(0);
            long start = System.nanoTime();
            new ProcessBuilder("kill", "-KILL", Long.toString(agent.pid())).start().waitFor();
            ExecutionException e = catchThrowableOfType(ExecutionException.class, () -> running.get(20, TimeUnit.SECONDS));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(e.getCause()).isInstanceOf(NodeLostException.class)
                    .hasMessageContaining("killed by signal 9 (SIGKILL)");
            assertThat(tookMs).as("noticed after %d ms", tookMs).isLessThan(3_000);
        }
        Leaks.assertNothingLeft(pool, ports);
    }

    @Test
    void anAgentThatStopsAnsweringIsLostWithinTheHeartbeatGrace() throws Exception {
        ComputePool pool = ComputePool.builder().name("silent-test").console(false).output(OutputListener.SILENT)
                .replacement(Replacement.NEVER).heartbeatGrace(Duration.ofSeconds(3)).build();
        List<Integer> ports = Leaks.agentPorts(pool);
        ProcessHandle agent = null;
        try (pool) {
            CompletableFuture<Integer> running = pool.submit(ctx -> {
                Thread.sleep(60_000);
                return 1;
            });
            Thread.sleep(300);
            agent = Leaks.agentProcesses(pool.id()).get(0);
            long start = System.nanoTime();
            // Frozen, not dead: the process and its socket stay, nothing answers (a hung machine, a lost route).
            new ProcessBuilder("kill", "-STOP", Long.toString(agent.pid())).start().waitFor();
            ExecutionException e = catchThrowableOfType(ExecutionException.class, () -> running.get(30, TimeUnit.SECONDS));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(e.getCause()).isInstanceOf(NodeLostException.class)
                    .hasMessageContaining("did not answer heartbeats");
            assertThat(tookMs).as("noticed after %d ms", tookMs).isBetween(2_500L, 10_000L);
            assertThat(pool.nodes().get(0).isLost()).isTrue();
        } finally {
            if (agent != null) {
                new ProcessBuilder("kill", "-CONT", Long.toString(agent.pid())).start().waitFor();
            }
        }
        Leaks.assertNothingLeft(pool, ports);
    }

    @Test
    void aClientPausedPastTheHeartbeatGraceIsToldSoAndHowToRaiseIt() throws Exception {
        // A debugger stopping every thread, or a laptop asleep: stop the whole client JVM (no flags).
        Process client = TestClasspath.plainJava(PausedClientProgram.class).redirectErrorStream(true).start();
        var out = new java.io.BufferedReader(new java.io.InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String poolId = null;
        try {
            for (String line; (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
                if (line.startsWith("POOL ")) {
                    poolId = line.substring(5).trim();
                    break;
                }
            }
            assertThat(poolId).as("the client printed:\n%s", seen).isNotNull();
            new ProcessBuilder("kill", "-STOP", Long.toString(client.pid())).start().waitFor();
            Thread.sleep(6_000);
            new ProcessBuilder("kill", "-CONT", Long.toString(client.pid())).start().waitFor();
            PrintWriter in = new PrintWriter(client.getOutputStream(), true, StandardCharsets.UTF_8);
            in.println("go on");
            for (String line; (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
            }
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            client.destroyForcibly();
        }
        String all = seen.toString();
        assertThat(all).contains("ERROR dev.skyward.NodeLostException")
                .contains("heartbeat grace")
                .contains("heartbeatGrace(");
        Leaks.assertNothingLeft(poolId, List.of());
    }

    /** Builds a pool with a short grace, waits for a line on stdin (the test pauses it meanwhile), runs a task. */
    public static final class PausedClientProgram {
        public static void main(String[] args) throws Exception {
            try (ComputePool pool = ComputePool.builder().name("paused").console(false)
                    .replacement(Replacement.NEVER).output(OutputListener.SILENT).heartbeatGrace(Duration.ofSeconds(3)).build()) {
                pool.run(ctx -> 1);
                System.out.println("POOL " + pool.id());
                new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                try {
                    pool.run(ctx -> 2);
                    System.out.println("NO ERROR");
                } catch (RuntimeException e) {
                    System.out.println("ERROR " + e.getClass().getName() + ": " + e.getMessage());
                }
            }
        }
    }
}
