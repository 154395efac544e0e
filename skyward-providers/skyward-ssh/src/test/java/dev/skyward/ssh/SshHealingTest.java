package dev.skyward.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.HealthCheck;
import dev.skyward.NodeInfo;
import dev.skyward.OutputListener;
import dev.skyward.PoolEvent;
import dev.skyward.PoolState;
import dev.skyward.testkit.hosts.SshHost;
import dev.skyward.testkit.hosts.SshHosts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pools that heal and breathe on the ssh provider, against real OpenSSH on loopback: a killed agent
 * is replaced on its host with its rank and no map item is lost or delivered twice; an elastic pool
 * takes more hosts while tasks wait and gives them back when idle; a node failing its health check
 * is replaced. Nothing is left on any host after each.
 */
@Timeout(600)
class SshHealingTest {

    static SshHosts hosts;

    @BeforeAll
    static void startHosts() throws IOException {
        hosts = SshHosts.start(3);
    }

    @AfterAll
    static void stopHosts() {
        if (hosts != null) {
            hosts.close();
        }
    }

    @AfterEach
    void nothingLeftOnAnyHost() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline && (SshPoolTest.tunnelThreads() > 0 || agentsLeft())) {
            Thread.sleep(100);
        }
        assertThat(SshPoolTest.tunnelThreads()).as("port-forward / reconnect threads still alive").isZero();
        for (SshHost h : hosts.all()) {
            assertThat(h.javaProcesses()).as("agent processes on " + h).isEmpty();
            Path run = h.home().resolve(".skyward/run");
            if (Files.exists(run)) {
                try (Stream<Path> s = Files.list(run)) {
                    assertThat(s.toList()).as("run dirs on " + h).isEmpty();
                }
            }
        }
    }

    private static boolean agentsLeft() throws IOException {
        for (SshHost h : hosts.all()) {
            if (!h.javaProcesses().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static ComputePool.Builder pool(List<SshHost> which, List<PoolEvent> events) {
        Ssh.Builder b = Ssh.builder().knownHosts(hosts.knownHosts()).identity(hosts.clientKey());
        which.forEach(h -> b.host(h.address(), h.port(), h.user()));
        return ComputePool.builder().provider(b.build()).console(false)
                .output(OutputListener.SILENT).listener(events::add).provisionTimeout(Duration.ofMinutes(3));
    }

    private static SshHost hostOf(NodeInfo node) {
        return hosts.all().stream().filter(h -> h.address().equals(node.address())).findFirst().orElseThrow();
    }

    @Test
    void anAgentKilledMidwayThroughAMapOfAThousandItemsLosesNoItemAndItsRankComesBack() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        try (ComputePool pool = pool(hosts.all().subList(0, 2), events).nodes(2).concurrency(2).build()) {
            SshHost second = hostOf(pool.nodes().get(1));
            List<Long> agents = second.javaProcesses();
            assertThat(agents).hasSize(1);
            List<Integer> items = IntStream.range(0, 1000).boxed().toList();
            CompletableFuture<List<Integer>> results = CompletableFuture.supplyAsync(() -> pool.map(items, (ctx, x) -> {
                Thread.sleep(10);
                return x * 3;
            }));
            Thread.sleep(1_000);
            assertThat(results).as("the map ended before the agent was killed").isNotDone();
            new ProcessBuilder("kill", "-KILL", Long.toString(agents.get(0))).start().waitFor();

            assertThat(results.get(5, TimeUnit.MINUTES)).isEqualTo(items.stream().map(x -> x * 3).toList());
            await(events, e -> e instanceof PoolEvent.NodeReplaced r && r.node().rank() == 1);
            assertThat(pool.nodes()).extracting(NodeInfo::rank).containsExactly(0, 1);
            assertThat(pool.nodes()).noneMatch(NodeInfo::isLost);
            assertThat(pool.state()).isEqualTo(PoolState.READY);
            assertThat(second.javaProcesses()).as("a new agent on the same host").hasSize(1)
                    .doesNotContain(agents.get(0));
            assertThat(pool.broadcast(ctx -> ctx.rank())).containsExactly(0, 1);
        }
    }

    @Test
    void anElasticPoolTakesMoreHostsWhileTasksWaitAndGivesThemBackWhenIdle() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        try (ComputePool pool = pool(hosts.all(), events).nodes(1, 3).concurrency(4)
                .idleTimeout(Duration.ofSeconds(2)).build()) {
            List<CompletableFuture<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                tasks.add(pool.submit(ctx -> {
                    Thread.sleep(1_000);
                    return n;
                }));
            }
            Set<Integer> results = new HashSet<>();
            for (CompletableFuture<Integer> t : tasks) {
                results.add(t.get(5, TimeUnit.MINUTES));
            }
            assertThat(results).hasSize(200);
            assertThat(events).filteredOn(e -> e instanceof PoolEvent.Resized r && r.to() > r.from())
                    .as("grew while tasks waited").isNotEmpty();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (pool.size() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(pool.size()).as("back to the minimum once idle").isEqualTo(1);
            long busy = hosts.all().stream().filter(h -> {
                try {
                    return !h.javaProcesses().isEmpty();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).count();
            assertThat(busy).as("hosts still running an agent").isEqualTo(1);
        }
    }

    @Test
    void aNodeThatFailsItsHealthCheckIsReplaced() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        // Unhealthy while a file named after the agent's pid is in /tmp: only the first agent of rank 1 is.
        try (ComputePool pool = pool(hosts.all().subList(0, 2), events).nodes(2)
                .healthCheck(new HealthCheck(ctx -> !Files.exists(Path.of("/tmp/skyward-sick-" + ProcessHandle.current().pid())),
                        Duration.ofMillis(300), 2)).build()) {
            SshHost second = hostOf(pool.nodes().get(1));
            long pid = second.javaProcesses().get(0);
            Path sick = Path.of("/tmp/skyward-sick-" + pid);
            Files.createFile(sick);
            try {
                await(events, e -> e instanceof PoolEvent.NodeReplaced r && r.node().rank() == 1);
            } finally {
                Files.deleteIfExists(sick);
            }
            assertThat(events).filteredOn(e -> e instanceof PoolEvent.NodeLost l && l.node().rank() == 1)
                    .singleElement().satisfies(e -> assertThat(((PoolEvent.NodeLost) e).reason())
                            .contains("failed its health check 2 times in a row"));
            assertThat(second.javaProcesses()).hasSize(1).doesNotContain(pid);
            int rank = pool.node(1).run(ctx -> ctx.rank());
            assertThat(rank).isEqualTo(1);
        }
    }

    static void await(List<PoolEvent> events, Predicate<PoolEvent> what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (events.stream().noneMatch(what) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(events).as("events").anyMatch(what);
    }
}
