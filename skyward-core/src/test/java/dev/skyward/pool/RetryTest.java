package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skyward.ComputePool;
import dev.skyward.MapTask;
import dev.skyward.NodeLostException;
import dev.skyward.OutputListener;
import dev.skyward.PoolEvent;
import dev.skyward.PoolState;
import dev.skyward.Replacement;
import dev.skyward.Task;
import dev.skyward.TaskFailedException;
import dev.skyward.testkit.Leaks;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What is retried after a node loss and what is not: an interrupted task goes elsewhere, a pinned
 * task and a broadcast element wait for their rank's replacement, a task that throws or is marked
 * once is never sent again, and a node given notice finishes its running work while its replacement
 * starts.
 */
class RetryTest {

    private static ComputePool.Builder pool(String name, List<PoolEvent> events) {
        return ComputePool.builder().name(name).console(false).output(OutputListener.SILENT).listener(events::add);
    }

    @Test
    void workPinnedToALostRankWaitsForItsReplacementAndABroadcastElementRerunsThere() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        ComputePool pool = pool("pinned", events).nodes(2).build();
        List<Integer> ports = new ArrayList<>(Leaks.agentPorts(pool));
        try (pool) {
            CompletableFuture<Integer> pinned = pool.node(1).submit(ctx -> {
                Thread.sleep(2_000);
                return ctx.rank();
            });
            CompletableFuture<List<Long>> pids = CompletableFuture.supplyAsync(() -> pool.broadcast(ctx -> {
                Thread.sleep(2_000);
                return ProcessHandle.current().pid();
            }));
            Thread.sleep(700);
            long killed = HealingPoolTest.agentOf(pool.id(), 1).pid();
            HealingPoolTest.agentOf(pool.id(), 1).destroyForcibly();

            assertThat(pinned.get(3, TimeUnit.MINUTES)).as("ran again on the replacement of rank 1").isEqualTo(1);
            List<Long> ran = pids.get(3, TimeUnit.MINUTES);
            assertThat(ran).hasSize(2);
            assertThat(ran.get(1)).as("rank 1's element ran on the replacement").isNotEqualTo(killed)
                    .isEqualTo(HealingPoolTest.agentOf(pool.id(), 1).pid());
            assertThat(pool.state()).isEqualTo(PoolState.READY);
            ports.addAll(Leaks.agentPorts(pool));
        }
        Leaks.assertNothingLeft(pool, ports);
    }

    @Test
    void aTaskThatThrowsIsNeverRetriedAndATaskMarkedOnceFailsInsteadOfRunningTwice() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        ComputePool pool = pool("once", events).nodes(2).build();
        List<Integer> ports = new ArrayList<>(Leaks.agentPorts(pool));
        try (pool) {
            TaskFailedException thrown = catchThrowableOfType(TaskFailedException.class,
                    () -> pool.run(ctx -> {
                        throw new IllegalStateException("mine");
                    }));
            assertThat(thrown.getCause()).hasMessage("mine");

            CompletableFuture<Integer> once = pool.node(1).submit(Task.once(ctx -> {
                Thread.sleep(60_000);
                return 1;
            }));
            Thread.sleep(700);
            HealingPoolTest.agentOf(pool.id(), 1).destroyForcibly();
            ExecutionException e = catchThrowableOfType(ExecutionException.class, () -> once.get(1, TimeUnit.MINUTES));
            assertThat(e.getCause()).isInstanceOf(NodeLostException.class).hasMessageContaining("killed by signal 9");

            HealingPoolTest.await(events, ev -> ev instanceof PoolEvent.NodeReplaced r && r.node().rank() == 1);
            List<Integer> out = pool.map(List.of(1, 2, 3), MapTask.once((ctx, x) -> x * 10));
            assertThat(out).containsExactly(10, 20, 30);
            ports.addAll(Leaks.agentPorts(pool));
        }
        Leaks.assertNothingLeft(pool, ports);
    }

    @Test
    void aNodeGivenNoticeFinishesItsRunningTaskWhileItsReplacementStarts() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        ComputePool pool = pool("notice", events).nodes(2).build();
        List<Integer> ports = new ArrayList<>(Leaks.agentPorts(pool));
        try (pool) {
            long first = HealingPoolTest.agentOf(pool.id(), 1).pid();
            CompletableFuture<Long> running = pool.node(1).submit(ctx -> {
                Thread.sleep(4_000);
                return ProcessHandle.current().pid();
            });
            Thread.sleep(700);
            ((EnginePool) pool).nodePreempted(1, "spot interruption notice");

            HealingPoolTest.await(events, ev -> ev instanceof PoolEvent.NodeReplaced r && r.node().rank() == 1);
            assertThat(running).as("the replacement is ready before the old node's task ends").isNotDone();
            assertThat(running.get(1, TimeUnit.MINUTES)).as("finished where it ran, not retried").isEqualTo(first);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false))
                    .as("the old node is stopped once idle").isFalse();
            long rankOne = pool.node(1).run(ctx -> ProcessHandle.current().pid());
            assertThat(rankOne).isNotEqualTo(first);
            assertThat(events).filteredOn(ev -> ev instanceof PoolEvent.NodeReplacing r && r.reason().contains("notice"))
                    .hasSize(1);
            ports.addAll(Leaks.agentPorts(pool));
        }
        Leaks.assertNothingLeft(pool, ports);
    }

    @Test
    void withoutReplacementAOnePoolTaskFailsWithTheLossOnceNoNodeIsLeft() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        ComputePool pool = pool("nonode", events).replacement(Replacement.NEVER).build();
        List<Integer> ports = new ArrayList<>(Leaks.agentPorts(pool));
        try (pool) {
            HealingPoolTest.agentOf(pool.id(), 0).destroyForcibly();
            HealingPoolTest.await(events, ev -> ev instanceof PoolEvent.NodeNotReplaced);
            NodeLostException e = catchThrowableOfType(NodeLostException.class, () -> pool.run(ctx -> 1));
            assertThat(e).hasMessageContaining("every node of the pool has been lost").hasMessageContaining("SIGKILL");
            assertThat(pool.state()).isEqualTo(PoolState.DEGRADED);
        }
        Leaks.assertNothingLeft(pool, ports);
    }
}
