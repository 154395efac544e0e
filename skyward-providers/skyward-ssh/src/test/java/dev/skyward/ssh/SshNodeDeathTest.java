package dev.skyward.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skyward.ComputePool;
import dev.skyward.NodeInfo;
import dev.skyward.NodeLostException;
import dev.skyward.OutputListener;
import dev.skyward.PoolEvent;
import dev.skyward.testkit.hosts.SshHost;
import dev.skyward.testkit.hosts.SshHosts;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An agent that dies on an SSH node is noticed at once, not after the reconnect window: the wrapper
 * the agent runs under records its exit status, the watcher on the node sends it with the end of the
 * agent's log, and the node's tasks fail with a {@link NodeLostException} saying so. Against real
 * OpenSSH servers on loopback addresses, with the real agent.
 */
@Timeout(120)
class SshNodeDeathTest {

    /** SSH reconnects for up to this long (half the default 60 s heartbeat grace, at most 30 s). */
    private static final long RECONNECT_WINDOW_MS = 30_000;

    static SshHosts hosts;

    @BeforeAll
    static void startHosts() throws IOException {
        hosts = SshHosts.start(2);
    }

    @AfterAll
    static void stopHosts() {
        if (hosts != null) {
            hosts.close();
        }
    }

    /** Every test: no process at all of the host users (agent, wrapper, watcher), no run directory. */
    @AfterEach
    void nothingLeftOnTheHosts() throws IOException, InterruptedException {
        for (SshHost h : hosts.all()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!h.processes("").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50); // sshd's per-connection process ends a moment after the client hangs up
            }
            assertThat(h.processes("")).as("processes of " + h.user() + " on " + h).isEmpty();
            Path run = h.home().resolve(".skyward/run");
            if (Files.exists(run)) {
                try (Stream<Path> s = Files.list(run)) {
                    assertThat(s.toList()).as("run dirs on " + h).isEmpty();
                }
            }
        }
    }

    static ComputePool.Builder pool(List<PoolEvent> events) {
        Ssh.Builder b = Ssh.builder().knownHosts(hosts.knownHosts()).identity(hosts.clientKey());
        hosts.all().forEach(h -> b.host(h.address(), h.port(), h.user()));
        // Lost nodes stay lost here, so that the loss itself is what the tests see (SshHealingTest: replacement).
        return ComputePool.builder().provider(b.build()).nodes(hosts.all().size()).console(false)
                .replacement(dev.skyward.Replacement.NEVER).output(OutputListener.SILENT).listener(events::add);
    }

    @Test
    void aTaskCallingSystemExitFailsAtOnceWithTheExitCodeAndTheAgentsLastLogLines() {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        try (ComputePool pool = pool(events).build()) {
            long start = System.nanoTime();
            NodeLostException e = catchThrowableOfType(NodeLostException.class, () -> pool.node(1).run(ctx -> {
                // What a crashing native library writes: straight to the process's stderr, past Skyward's capture.
                PrintStream raw = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
                raw.println("fatal: libcuda gave up on device 0");
                System.exit(3);
                return 0;
            }));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(e).as("no NodeLostException").isNotNull();
            assertThat(tookMs).as("noticed after %d ms: %s", tookMs, e.getMessage()).isLessThan(RECONNECT_WINDOW_MS / 3);
            assertThat(e.rank()).isEqualTo(1);
            assertThat(e.getMessage()).contains("exited with code 3").contains("fatal: libcuda gave up on device 0")
                    .contains(hosts.get(1).address());

            NodeInfo lost = pool.nodes().get(1);
            assertThat(lost.isLost()).isTrue();
            assertThat(lost.lostReason()).contains("exited with code 3");
            assertThat(pool.nodes().get(0).isLost()).isFalse();
            assertThat(events).filteredOn(ev -> ev instanceof PoolEvent.NodeLost l && l.node().rank() == 1)
                    .singleElement().satisfies(ev -> assertThat(((PoolEvent.NodeLost) ev).reason())
                            .contains("exited with code 3"));

            // The other node goes on; the lost one refuses at once, saying why.
            int rank = pool.run(ctx -> ctx.rank());
            assertThat(rank).isZero();
            assertThat(catchThrowableOfType(NodeLostException.class, () -> pool.node(1).run(ctx -> 1)))
                    .hasMessageContaining("exited with code 3");
        }
    }

    @Test
    void anAgentKilledWithSigkillOnItsNodeIsReportedWithTheSignal() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        SshHost h = hosts.get(0);
        try (ComputePool pool = pool(events).build()) {
            CompletableFuture<Integer> running = pool.node(0).submit(ctx -> {
                Thread.sleep(60_000);
                return 0;
            });
            Thread.sleep(500); // the task has started
            List<Long> agents = h.javaProcesses();
            assertThat(agents).as("the agent on " + h).hasSize(1);
            long start = System.nanoTime();
            new ProcessBuilder("kill", "-KILL", Long.toString(agents.get(0))).start().waitFor();

            ExecutionException failed = catchThrowableOfType(ExecutionException.class, () -> running.get(30, TimeUnit.SECONDS));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(failed).as("the task did not fail").isNotNull();
            assertThat(failed.getCause()).isInstanceOf(NodeLostException.class);
            assertThat(tookMs).as("noticed after %d ms: %s", tookMs, failed.getCause().getMessage())
                    .isLessThan(RECONNECT_WINDOW_MS / 3);
            assertThat(failed.getCause().getMessage()).contains("killed by signal 9 (SIGKILL)");

            NodeInfo lost = pool.nodes().get(0);
            assertThat(lost.isLost()).isTrue();
            assertThat(lost.lostReason()).contains("signal 9 (SIGKILL)");
            assertThat(events).filteredOn(ev -> ev instanceof PoolEvent.NodeLost l && l.node().rank() == 0)
                    .singleElement().satisfies(ev -> assertThat(((PoolEvent.NodeLost) ev).reason()).contains("SIGKILL"));
            int other = pool.node(1).run(ctx -> ctx.rank());
            assertThat(other).isEqualTo(1);
        }
    }

    @Test
    void aHostThatCannotBeReachedAgainIsReportedAsALostSshConnection() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        SshHost h = hosts.get(1);
        // A 6 s grace gives a 3 s reconnect window.
        try (ComputePool pool = pool(events).heartbeatGrace(Duration.ofSeconds(6)).build()) {
            CompletableFuture<Integer> running = pool.node(1).submit(ctx -> {
                Thread.sleep(60_000);
                return 0;
            });
            Thread.sleep(500);
            h.goOffline();
            try {
                ExecutionException failed = catchThrowableOfType(ExecutionException.class,
                        () -> running.get(30, TimeUnit.SECONDS));
                assertThat(failed).as("the task did not fail").isNotNull();
                assertThat(failed.getCause()).isInstanceOf(NodeLostException.class);
                assertThat(failed.getCause().getMessage()).contains("the SSH connection to")
                        .contains("could not be re-established within 3 s").doesNotContain("exited with code");
                assertThat(pool.nodes().get(1).lostReason()).contains("SSH connection");
                assertThat(events).filteredOn(ev -> ev instanceof PoolEvent.NodeLost l && l.node().rank() == 1)
                        .hasSize(1);
            } finally {
                h.comeBack(); // so that close() can clean up
            }
        }
    }

    @Test
    void aSigtermToTheAgentsWholeProcessGroupIsReportedWithTheSignal() throws Exception {
        SshHost h = hosts.get(1);
        try (ComputePool pool = pool(new CopyOnWriteArrayList<>()).build()) {
            CompletableFuture<Integer> running = pool.node(1).submit(ctx -> {
                Thread.sleep(60_000);
                return 0;
            });
            Thread.sleep(500);
            List<Long> agents = h.javaProcesses();
            assertThat(agents).as("the agent on " + h).hasSize(1);
            // As when the user's session on the host is ended: every process of the group gets SIGTERM.
            String stat = Files.readString(Path.of("/proc/" + agents.get(0) + "/stat"));
            String group = stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2];
            new ProcessBuilder("kill", "-TERM", "--", "-" + group).start().waitFor();

            ExecutionException failed = catchThrowableOfType(ExecutionException.class, () -> running.get(30, TimeUnit.SECONDS));
            assertThat(failed).as("the task did not fail").isNotNull();
            assertThat(failed.getCause()).isInstanceOf(NodeLostException.class)
                    .hasMessageContaining("killed by signal 15 (SIGTERM)");
            assertThat(pool.nodes().get(1).lostReason()).contains("SIGTERM");
        }
    }

    @Test
    void aClientJvmStartedWithoutFlagsIsToldTheExitCode() throws Exception {
        SshHost h = hosts.get(0);
        Process client = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DyingNodeClient.class.getName(),
                hosts.knownHosts().toString(), hosts.clientKey().toString(), h.user() + "@" + h.address() + ":" + h.port())
                .redirectErrorStream(true).start();
        String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as(out).contains("NODE true").contains("CLOSED");
        String lost = out.lines().filter(l -> l.startsWith("LOST ")).findFirst().orElseThrow(() -> new AssertionError(out));
        assertThat(lost).contains("exited with code 3");
        assertThat(Long.parseLong(lost.split(" ")[1])).as(lost).isLessThan(RECONNECT_WINDOW_MS / 3);
    }
}
