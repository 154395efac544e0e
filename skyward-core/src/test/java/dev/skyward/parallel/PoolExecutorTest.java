package dev.skyward.parallel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.ComputePool;
import dev.skyward.PoolClosedException;
import dev.skyward.TaskSerializationException;
import dev.skyward.testkit.Leaks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What {@code pool.executor()} adds to the contract: tasks travel, bad ones fail here, chains. */
class PoolExecutorTest {

    private static ComputePool pool;
    private static List<Integer> ports;

    @BeforeAll
    static void openPool() {
        pool = ComputePool.builder().name("executor-test").nodes(2).concurrency(2).console(false).output(l -> { })
                .build();
        ports = Leaks.agentPorts(pool);
    }

    @AfterAll
    static void closePoolAndCheckNothingIsLeft() {
        pool.close();
        Leaks.assertNothingLeft(pool, ports);
    }

    @Test
    void tasksRunInTheAgentJvmsNotHere() throws Exception {
        long here = ProcessHandle.current().pid();
        PoolExecutor exec = pool.executor();
        List<Callable<Long>> pids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pids.add((RemoteCallable<Long>) () -> ProcessHandle.current().pid());
        }
        for (Future<Long> f : exec.invokeAll(pids)) {
            assertThat(f.get()).isNotEqualTo(here);
        }
        exec.shutdown();
    }

    @Test
    void theExecutorHasAsManySlotsAsThePoolHasTaskSlots() {
        assertThat(pool.executor().maxInFlight()).isEqualTo(4);
        assertThat(PoolExecutor.on(pool, 3).maxInFlight()).isEqualTo(3);
        assertThatThrownBy(() -> PoolExecutor.on(pool, 0)).hasMessageContaining("at least 1");
    }

    @Test
    void aCallableOrRunnableThatIsNotSerializableIsRefusedOnTheCallersThread() throws Exception {
        PoolExecutor exec = pool.executor();
        Path marker = Files.createTempDirectory("refused").resolve("ran");
        String m = marker.toString();
        Callable<Integer> plain = () -> 1;
        Runnable plainRunnable = () -> Tasks.create(m);
        assertThatThrownBy(() -> exec.submit(plain)).isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("is not Serializable").hasMessageContaining("RemoteCallable")
                .hasMessageContaining(PoolExecutorTest.class.getName());
        assertThatThrownBy(() -> exec.execute(plainRunnable)).isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("RemoteRunnable");
        assertThatThrownBy(() -> exec.invokeAll(List.of(Tasks.value(1), plain)))
                .isInstanceOf(TaskSerializationException.class);
        exec.shutdown();
        assertThat(exec.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(marker).doesNotExist();
    }

    @Test
    void aSerializableTaskThatCapturesSomethingThatCannotTravelIsRefusedWhetherSentOrWaiting() throws Exception {
        Object lock = new Object();
        RemoteCallable<Integer> capturesLock = () -> lock.hashCode();
        PoolExecutor exec = PoolExecutor.on(pool, 1);
        assertThatThrownBy(() -> exec.submit(capturesLock)).isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("java.lang.Object");
        Path dir = Files.createTempDirectory("waiting");
        Future<String> busy = exec.submit(Tasks.blocker(dir, "busy"));
        // The only slot is taken: this one would wait, and is checked now rather than when sent.
        assertThatThrownBy(() -> exec.submit(capturesLock)).isInstanceOf(TaskSerializationException.class)
                .hasMessageContaining("java.lang.Object");
        Tasks.create(dir.resolve("gate").toString());
        assertThat(busy.get(30, TimeUnit.SECONDS)).isEqualTo("done busy");
        exec.shutdown();
    }

    @Test
    void theJdksSupplyAsyncWithThisExecutorFailsAtOnceAndSaysWhatToUseInstead() {
        PoolExecutor exec = pool.executor();
        RemoteSupplier<Integer> one = () -> 1;
        assertThatThrownBy(() -> CompletableFuture.supplyAsync(one, exec))
                .isInstanceOf(TaskSerializationException.class).hasMessageContaining("CompletableFuture")
                .hasMessageContaining("pool.executor().supplyAsync");
        assertThatThrownBy(() -> CompletableFuture.runAsync(() -> { }, exec))
                .isInstanceOf(TaskSerializationException.class);
        // ExecutorCompletionService wraps each task in a FutureTask of its own, which cannot travel either.
        assertThatThrownBy(() -> new java.util.concurrent.ExecutorCompletionService<Integer>(exec).submit(Tasks.value(1)))
                .isInstanceOf(TaskSerializationException.class).hasMessageContaining("mapUnordered");
        // A stage handed the executor later fails its own future with the same explanation.
        CompletableFuture<Integer> stage = CompletableFuture.completedFuture(1).thenApplyAsync(x -> x + 1, exec);
        assertThatThrownBy(stage::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(TaskSerializationException.class).hasMessageContaining("thenCompose");
        exec.shutdown();
    }

    @Test
    void supplyAsyncStartsAChainThatRunsRemoteStepsOnTheNodesAndTheRestHere() throws Exception {
        long here = ProcessHandle.current().pid();
        PoolExecutor exec = pool.executor();
        CompletableFuture<String> chain = exec.supplyAsync(() -> ProcessHandle.current().pid())
                .thenApply(pid -> pid != here)                                  // here
                .thenCompose(remote -> exec.supplyAsync(() -> remote + " then " // on a node
                        + (ProcessHandle.current().pid() != here)));
        assertThat(chain.get(30, TimeUnit.SECONDS)).isEqualTo("true then true");
        CompletableFuture<Void> ran = exec.runAsync(() -> { });
        assertThat(ran.get(30, TimeUnit.SECONDS)).isNull();
        CompletableFuture<Integer> failed = exec.supplyAsync(() -> {
            throw new ArithmeticException("remote / 0");
        });
        assertThatThrownBy(() -> failed.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ArithmeticException.class).hasMessage("remote / 0");
        exec.shutdown();
    }

    @Test
    void neverMoreThanMaxInFlightTasksRunAtOnceAcrossTheNodes() throws Exception {
        Path dir = Files.createTempDirectory("in-flight");
        String d = dir.toString();
        PoolExecutor exec = PoolExecutor.on(pool, 3);
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            tasks.add((RemoteCallable<Integer>) () -> {
                Path me = Path.of(d, UUID.randomUUID().toString());
                Files.createFile(me);
                try (var running = Files.list(Path.of(d))) {
                    int now = (int) running.count();
                    Thread.sleep(20);
                    return now;
                } finally {
                    Files.delete(me);
                }
            });
        }
        int most = 0;
        for (Future<Integer> f : exec.invokeAll(tasks)) {
            most = Math.max(most, f.get());
        }
        // The pool has 4 slots; the executor was given 3, and the nodes never saw a fourth.
        assertThat(most).isBetween(1, 3);
        exec.shutdown();
        Files.delete(dir);
    }

    @Test
    void closingThePoolFailsTheExecutorsUnfinishedTasks() throws Exception {
        ComputePool own = ComputePool.builder().name("executor-close").console(false).output(l -> { }).build();
        List<Integer> ownPorts = Leaks.agentPorts(own);
        PoolExecutor exec = own.executor();
        Future<Integer> running = exec.submit((RemoteCallable<Integer>) () -> {
            Thread.sleep(60_000);
            return 1;
        });
        Future<Integer> waiting = exec.submit(Tasks.value(2));
        own.close();
        // PoolClosedException is a CancellationException: get() throws it as for any cancelled task (itself up to
        // JDK 22; from JDK 23 CompletableFuture.get wraps it in a new CancellationException, ours the cause).
        for (Future<Integer> f : List.of(running, waiting)) {
            assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class)
                    .satisfies(e -> assertThat(e instanceof PoolClosedException || e.getCause() instanceof PoolClosedException)
                            .as("PoolClosedException, or a CancellationException caused by one: %s", e).isTrue());
        }
        exec.shutdown();
        assertThat(exec.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        Leaks.assertNothingLeft(own, ownPorts);
    }
}
