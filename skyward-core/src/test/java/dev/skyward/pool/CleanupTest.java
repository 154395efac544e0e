package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.OutputLine;
import dev.skyward.PoolClosedException;
import dev.skyward.testkit.Leaks;
import dev.skyward.testing.TestClasspath;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Whatever happens to the client, agents and the processes their tasks started do not outlive the pool. */
class CleanupTest {

    @Test
    void closingWhileTasksRunFailsThemAsCancelledAndKillsWhatTheyStarted() throws Exception {
        List<OutputLine> output = new CopyOnWriteArrayList<>();
        ComputePool pool = ComputePool.builder().name("close-test").nodes(2).console(false).output(output::add)
                .shutdownGrace(Duration.ofMillis(500)).build();
        List<Integer> ports = Leaks.agentPorts(pool);
        List<CompletableFuture<String>> running = List.of(
                pool.node(0).submit(CleanupTest::startSleeperAndWait),
                pool.node(1).submit(CleanupTest::startSleeperAndWait));
        List<Long> children = awaitChildPids(output, 2);
        assertThat(children).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isPresent());

        pool.close();

        for (CompletableFuture<String> f : running) {
            assertThat(f.isCancelled()).isTrue();
            // What the future holds (join() on JDK 23+ wraps a cancellation in a new one).
            Throwable e = f.handle((value, failure) -> failure).join();
            assertThat(e).isInstanceOf(PoolClosedException.class).hasMessageContaining("was closed while task")
                    .hasMessageContaining("close-test-");
        }
        for (long pid : children) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("child process " + pid + " of a task").isFalse();
        }
        Leaks.assertNothingLeft(pool, ports);
    }

    static String startSleeperAndWait(dev.skyward.NodeContext ctx) throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "600").start();
        System.out.println("child " + sleeper.pid());
        sleeper.waitFor();
        return "sleeper ended";
    }

    private static List<Long> awaitChildPids(List<OutputLine> output, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            List<Long> pids = output.stream().map(OutputLine::text).filter(t -> t.startsWith("child "))
                    .map(t -> Long.parseLong(t.substring(6))).toList();
            if (pids.size() >= n) {
                return pids;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("tasks did not report their child processes: " + output);
    }

    @Test
    void aProgramThatExitsWithoutClosingLeavesNoAgentBehind() throws Exception {
        Process client = TestClasspath.java(UnclosedPoolProgram.class).redirectErrorStream(true).start();
        String poolId = readPoolId(client);
        assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Leaks.assertNothingLeft(poolId, List.of());
    }

    @Test
    void agentsOfAKilledClientStopWithinTheHeartbeatGrace() throws Exception {
        Process client = TestClasspath.java(AbandonedPoolProgram.class).redirectErrorStream(true).start();
        String poolId = readPoolId(client);
        assertThat(Leaks.agentProcesses(poolId)).hasSize(2);
        client.destroyForcibly(); // SIGKILL: no shutdown hook runs
        client.waitFor();
        long killed = System.nanoTime();
        Leaks.awaitNoAgents(poolId, Duration.ofSeconds(20));
        assertThat(Leaks.agentProcesses(poolId)).isEmpty();
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        // The grace is 5 s; allow for the watchdog's period and a loaded machine.
        assertThat(took).isLessThan(17_000);
        // The agents removed their own node directories; the client never got to.
        Leaks.assertNothingLeft(poolId, List.of());
    }

    @Test
    void aNodeOutlivingItsMaximumLifetimeStopsEvenWithTheClientAlive() throws Exception {
        ComputePool pool = ComputePool.builder().name("ttl-test").console(false).output(l -> { })
                .maxNodeLifetime(Duration.ofSeconds(4)).build();
        List<Integer> ports = Leaks.agentPorts(pool);
        try (pool) {
            CompletableFuture<String> longTask = pool.submit(ctx -> {
                Thread.sleep(60_000);
                return "never";
            });
            // Heartbeats keep flowing; only the lifetime can end the agent.
            Throwable failure = longTask.handle((v, e) -> e).get(30, TimeUnit.SECONDS);
            assertThat(failure).isInstanceOf(dev.skyward.NodeLostException.class)
                    .hasMessageContaining("node 0 stopped: its time to live of PT4S is over");
            Leaks.awaitNoAgents(pool.id(), Duration.ofSeconds(10));
            assertThat(Leaks.agentProcesses(pool.id())).isEmpty();
        }
        Leaks.assertNothingLeft(pool, ports);
    }

    private static String readPoolId(Process client) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = r.readLine()) != null; ) {
            seen.append(line).append('\n');
            if (line.startsWith("POOL ")) {
                String id = line.substring(5).trim();
                // Keep draining so the child never blocks on a full pipe.
                Thread drain = new Thread(() -> {
                    try {
                        r.transferTo(java.io.Writer.nullWriter());
                    } catch (java.io.IOException ignored) {
                        // child gone
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return id;
            }
        }
        throw new AssertionError("client program printed no pool id:\n" + seen);
    }

    /** Builds a pool, runs a task, and exits without closing it: the shutdown hook must clean up. */
    public static final class UnclosedPoolProgram {
        public static void main(String[] args) {
            ComputePool pool = ComputePool.builder().name("unclosed").nodes(2).console(false).build();
            System.out.println("POOL " + pool.id());
            int two = pool.run(ctx -> 2);
            System.out.println("ran " + two);
            System.exit(0);
        }
    }

    /** Builds a pool and waits to be killed. */
    public static final class AbandonedPoolProgram {
        public static void main(String[] args) throws Exception {
            ComputePool pool = ComputePool.builder().name("abandoned").nodes(2).console(false)
                    .heartbeatGrace(Duration.ofSeconds(5)).build();
            pool.run(ctx -> 1);
            System.out.println("POOL " + pool.id());
            Thread.sleep(600_000);
        }
    }
}
