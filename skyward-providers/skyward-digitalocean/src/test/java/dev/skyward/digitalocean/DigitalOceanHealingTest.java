package dev.skyward.digitalocean;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.HealthCheck;
import dev.skyward.NodeInfo;
import dev.skyward.OutputListener;
import dev.skyward.PoolEvent;
import dev.skyward.PoolState;
import dev.skyward.testkit.hosts.CloudHosts;
import dev.skyward.testkit.hosts.SshHost;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pools that heal and breathe on DigitalOcean, against the cloud-in-a-box fake: a killed agent's
 * droplet is destroyed and a new droplet takes its rank, with every map item's result delivered once;
 * an elastic pool creates droplets while tasks wait and destroys them when idle; a droplet failing
 * its health check is replaced. No droplet, key or host process is left after each.
 */
@Timeout(600)
class DigitalOceanHealingTest {

    private static final String TOKEN = "dop_v1_heal";
    private static CloudHosts hosts;
    private static FakeDigitalOcean fake;

    @BeforeAll
    static void start() throws Exception {
        hosts = CloudHosts.start("doh");
        fake = FakeDigitalOcean.start(hosts, TOKEN);
    }

    @AfterAll
    static void stop() {
        fake.close();
        hosts.close();
    }

    @AfterEach
    void nothingLeftAndEveryCallFollowedTheSpec() {
        assertThat(fake.violations()).as("spec violations").isEmpty();
        assertThat(fake.droplets()).as("droplets left (billed)").isEmpty();
        assertThat(fake.keyCount()).as("ssh keys left on the account").isZero();
        assertThat(hosts.leftovers()).as("host sshd, users or processes left").isEmpty();
        fake.clearViolations();
    }

    private static ComputePool.Builder pool(List<PoolEvent> events) {
        DigitalOcean provider = DigitalOcean.builder().token(TOKEN).baseUrl(fake.baseUrl()).login(fake::login)
                .pollInterval(Duration.ofMillis(200)).deleteTimeout(Duration.ofSeconds(60)).regions("tor1").build();
        return ComputePool.builder().provider(provider).accelerator("H100").console(false)
                .output(OutputListener.SILENT).listener(events::add).provisionTimeout(Duration.ofMinutes(3));
    }

    private static SshHost hostOf(NodeInfo node) {
        return fake.droplets().stream().filter(d -> Long.toString(d.id).equals(node.instanceId())).findFirst()
                .orElseThrow().host();
    }

    @Test
    void anAgentKilledMidwayThroughAMapOfAThousandItemsLosesNoItemAndANewDropletTakesItsRank() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        try (ComputePool pool = pool(events).nodes(2).concurrency(2).build()) {
            String lostDroplet = pool.nodes().get(1).instanceId();
            List<Long> agents = hostOf(pool.nodes().get(1)).javaProcesses();
            assertThat(agents).isNotEmpty();
            List<Integer> items = IntStream.range(0, 1000).boxed().toList();
            CompletableFuture<List<Integer>> results = CompletableFuture.supplyAsync(() -> pool.map(items, (ctx, x) -> {
                Thread.sleep(10);
                return x - 7;
            }));
            Thread.sleep(1_000);
            assertThat(results).as("the map ended before the agent was killed").isNotDone();
            for (long pid : agents) {
                new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
            }

            assertThat(results.get(5, TimeUnit.MINUTES)).isEqualTo(items.stream().map(x -> x - 7).toList());
            await(events, e -> e instanceof PoolEvent.NodeReplaced r && r.node().rank() == 1);
            assertThat(pool.nodes()).extracting(NodeInfo::rank).containsExactly(0, 1);
            assertThat(pool.nodes()).noneMatch(NodeInfo::isLost);
            assertThat(pool.state()).isEqualTo(PoolState.READY);
            assertThat(pool.nodes().get(1).instanceId()).as("a new droplet").isNotEqualTo(lostDroplet);
            assertThat(fake.droplets()).as("the lost droplet is destroyed, the new one has its name").hasSize(2)
                    .anySatisfy(d -> assertThat(d.name).isEqualTo(DropletNaming.dropletName(pool.id(), 1)));
            assertThat(pool.broadcast(ctx -> ctx.rank())).containsExactly(0, 1);
        }
    }

    @Test
    void anElasticPoolCreatesDropletsWhileTasksWaitAndDestroysThemWhenIdle() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        try (ComputePool pool = pool(events).nodes(1, 3).concurrency(4).idleTimeout(Duration.ofSeconds(2)).build()) {
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
                    .as("grew while tasks waited").isNotEmpty()
                    .allSatisfy(e -> assertThat(((PoolEvent.Resized) e).hourlyPrice()).as("cost effect").isPositive());
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (pool.size() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(pool.size()).as("back to the minimum once idle").isEqualTo(1);
            assertThat(fake.droplets()).as("idle droplets destroyed").hasSize(1);
        }
    }

    @Test
    void aDropletThatFailsItsHealthCheckIsReplaced() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        try (ComputePool pool = pool(events).nodes(2)
                .healthCheck(new HealthCheck(ctx -> !Files.exists(Path.of("/tmp/skyward-do-sick-" + ProcessHandle.current().pid())),
                        Duration.ofMillis(300), 2)).build()) {
            String first = pool.nodes().get(1).instanceId();
            List<Path> sick = new ArrayList<>();
            for (long pid : hostOf(pool.nodes().get(1)).javaProcesses()) {
                sick.add(Files.createFile(Path.of("/tmp/skyward-do-sick-" + pid)));
            }
            try {
                await(events, e -> e instanceof PoolEvent.NodeReplaced r && r.node().rank() == 1);
            } finally {
                for (Path p : sick) {
                    Files.deleteIfExists(p);
                }
            }
            assertThat(events).filteredOn(e -> e instanceof PoolEvent.NodeLost l && l.node().rank() == 1)
                    .singleElement().satisfies(e -> assertThat(((PoolEvent.NodeLost) e).reason())
                            .contains("failed its health check 2 times in a row"));
            assertThat(pool.nodes().get(1).instanceId()).isNotEqualTo(first);
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
