package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.HealthCheck;
import dev.skyward.NodeInfo;
import dev.skyward.OutputListener;
import dev.skyward.PoolEvent;
import dev.skyward.PoolState;
import dev.skyward.testkit.Leaks;
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
import org.junit.jupiter.api.Test;

/**
 * Pools that heal and breathe, on the local provider: a lost node is replaced with its rank, the
 * tasks it was running are retried elsewhere and every result arrives once; an elastic pool grows
 * while tasks wait and gives idle nodes back; a node failing its health check is replaced.
 */
class HealingPoolTest {

    @Test
    void anAgentKilledMidwayThroughAMapOfAThousandItemsLosesNoItemAndItsRankComesBack() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        ComputePool pool = ComputePool.builder().name("heal-map").nodes(2).concurrency(2).console(false)
                .output(OutputListener.SILENT).listener(events::add).build();
        List<Integer> ports = new ArrayList<>(Leaks.agentPorts(pool));
        try (pool) {
            long killed = agentOf(pool.id(), 1).pid();
            List<Integer> items = IntStream.range(0, 1000).boxed().toList();
            CompletableFuture<List<Integer>> results = CompletableFuture.supplyAsync(() -> pool.map(items, (ctx, x) -> {
                Thread.sleep(10);
                return x * 2;
            }));
            Thread.sleep(1_000);
            assertThat(results).as("the map ended before the node was killed: make the items slower").isNotDone();
            agentOf(pool.id(), 1).destroyForcibly();

            List<Integer> out = results.get(5, TimeUnit.MINUTES);
            assertThat(out).as("every item's result, once, in input order")
                    .isEqualTo(items.stream().map(x -> x * 2).toList());

            await(events, e -> e instanceof PoolEvent.NodeReplaced r && r.node().rank() == 1);
            assertThat(events).filteredOn(e -> e instanceof PoolEvent.NodeLost l && l.node().rank() == 1).hasSize(1);
            assertThat(events).filteredOn(e -> e instanceof PoolEvent.NodeReplacing r && r.rank() == 1).hasSize(1);
            assertThat(pool.nodes()).extracting(NodeInfo::rank).containsExactly(0, 1);
            assertThat(pool.nodes()).noneMatch(NodeInfo::isLost);
            assertThat(pool.state()).isEqualTo(PoolState.READY);
            assertThat(agentOf(pool.id(), 1).pid()).as("a new agent serves rank 1").isNotEqualTo(killed);
            assertThat(pool.broadcast(ctx -> ctx.rank())).containsExactly(0, 1);
            ports.addAll(Leaks.agentPorts(pool));
        }
        assertThat(events).filteredOn(e -> e instanceof PoolEvent.StateChanged s && s.to() == PoolState.DEGRADED)
                .isNotEmpty();
        Leaks.assertNothingLeft(pool, ports);
    }

    @Test
    void anUnorderedMapAndAnExecutorKeepEnoughTasksAheadToMakeAnElasticPoolGrow() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        ComputePool pool = ComputePool.builder().name("elastic-stream").nodes(1, 3).concurrency(2)
                .console(false).output(OutputListener.SILENT).listener(events::add).build();
        Set<Integer> ports = new HashSet<>(Leaks.agentPorts(pool));
        try (pool) {
            List<Integer> squares;
            try (var results = pool.mapUnordered(java.util.stream.IntStream.range(0, 60).boxed().toList(), (ctx, n) -> {
                Thread.sleep(500);
                return n * n;
            })) {
                squares = results.peek(r -> ports.addAll(Leaks.agentPorts(pool))).toList();
            }
            assertThat(squares).containsExactlyInAnyOrderElementsOf(
                    java.util.stream.IntStream.range(0, 60).map(n -> n * n).boxed().toList());
            assertThat(events).filteredOn(e -> e instanceof PoolEvent.Resized r && r.to() > r.from())
                    .as("an unordered map made the pool grow").isNotEmpty();

            pool.resize(1);
            events.clear();
            var exec = pool.executor();
            List<java.util.concurrent.Future<Integer>> done = exec.invokeAll(java.util.stream.IntStream.range(0, 40)
                    .mapToObj(n -> (dev.skyward.parallel.RemoteCallable<Integer>) () -> {
                        Thread.sleep(500);
                        return n;
                    }).toList());
            ports.addAll(Leaks.agentPorts(pool));
            exec.shutdown();
            assertThat(done).extracting(f -> f.get()).hasSize(40);
            assertThat(events).filteredOn(e -> e instanceof PoolEvent.Resized r && r.to() > r.from())
                    .as("an executor made the pool grow").isNotEmpty();
        }
        Leaks.assertNothingLeft(pool, List.copyOf(ports));
    }

    @Test
    void anElasticPoolGrowsWhileTasksWaitAndGivesIdleNodesBackDownToItsMinimum() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        ComputePool pool = ComputePool.builder().name("elastic").nodes(1, 4).concurrency(4)
                .idleTimeout(Duration.ofSeconds(2)).console(false).output(OutputListener.SILENT)
                .listener(events::add).build();
        Set<Integer> ports = new HashSet<>(Leaks.agentPorts(pool));
        try (pool) {
            assertThat(pool.size()).isEqualTo(1);
            List<CompletableFuture<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                tasks.add(pool.submit(ctx -> {
                    Thread.sleep(1_000);
                    return n;
                }));
            }
            int most = 1;
            Set<Integer> results = new HashSet<>();
            for (CompletableFuture<Integer> t : tasks) {
                results.add(t.get(5, TimeUnit.MINUTES));
                most = Math.max(most, pool.size());
                ports.addAll(Leaks.agentPorts(pool));
            }
            assertThat(results).hasSize(200);
            assertThat(events).filteredOn(e -> e instanceof PoolEvent.Resized r && r.to() > r.from())
                    .as("grew while tasks waited").isNotEmpty();
            assertThat(most).isGreaterThan(1);

            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (pool.size() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(pool.size()).as("back to the minimum once idle").isEqualTo(1);
            assertThat(events).filteredOn(e -> e instanceof PoolEvent.Resized r && r.to() == 1 && r.from() == 2)
                    .singleElement().satisfies(e -> assertThat(((PoolEvent.Resized) e).why()).contains("idle"));
            assertThat(Leaks.agentProcesses(pool.id())).as("given-back nodes' agents are stopped").hasSize(1);
            int rank = pool.run(ctx -> ctx.rank());
            assertThat(rank).isZero();
        }
        Leaks.assertNothingLeft(pool, List.copyOf(ports));
    }

    @Test
    void aNodeThatFailsItsHealthCheckIsReplaced() throws Exception {
        Path sick = Files.createTempDirectory("skyward-sick");
        String dir = sick.toString();
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        // A node is unhealthy when a file named after its agent's pid exists: only the first agent of rank 1 will be.
        ComputePool pool = ComputePool.builder().name("health").nodes(2).console(false).output(OutputListener.SILENT)
                .healthCheck(new HealthCheck(ctx -> !Files.exists(Path.of(dir, Long.toString(ProcessHandle.current().pid()))),
                        Duration.ofMillis(300), 2))
                .listener(events::add).build();
        List<Integer> ports = new ArrayList<>(Leaks.agentPorts(pool));
        try (pool) {
            long pid = agentOf(pool.id(), 1).pid();
            Files.createFile(sick.resolve(Long.toString(pid)));

            await(events, e -> e instanceof PoolEvent.NodeReplaced r && r.node().rank() == 1);
            assertThat(events).filteredOn(e -> e instanceof PoolEvent.NodeLost l && l.node().rank() == 1)
                    .singleElement().satisfies(e -> assertThat(((PoolEvent.NodeLost) e).reason())
                            .contains("failed its health check 2 times in a row"));
            assertThat(agentOf(pool.id(), 1).pid()).isNotEqualTo(pid);
            assertThat(pool.nodes()).noneMatch(NodeInfo::isLost).hasSize(2);
            int rank = pool.node(1).run(ctx -> ctx.rank());
            assertThat(rank).isEqualTo(1);
            ports.addAll(Leaks.agentPorts(pool));
        } finally {
            try (var files = Files.list(sick)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(sick);
        }
        Leaks.assertNothingLeft(pool, ports);
    }

    /** The agent process of a rank (the newest, when a replacement is starting). */
    static ProcessHandle agentOf(String poolId, int rank) {
        return Leaks.agentProcesses(poolId).stream()
                .filter(p -> p.info().commandLine().orElse("").matches(".*--rank " + rank + "( .*|$)"))
                .max((a, b) -> Long.compare(a.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L),
                        b.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L)))
                .orElseThrow(() -> new AssertionError("no agent of rank " + rank + " in pool " + poolId));
    }

    static void await(List<PoolEvent> events, Predicate<PoolEvent> what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (events.stream().noneMatch(what) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(events).as("events").anyMatch(what);
    }
}
