package dev.skyward.parallel;

import static dev.skyward.parallel.Tasks.awaitFile;
import static dev.skyward.parallel.Tasks.blocker;
import static dev.skyward.parallel.Tasks.failing;
import static dev.skyward.parallel.Tasks.touch;
import static dev.skyward.parallel.Tasks.value;
import static dev.skyward.parallel.Tasks.valueOnce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link ExecutorService} contract as scenarios, run unchanged against the JDK's
 * {@code ThreadPoolExecutor} and against {@code pool.executor()}: whatever passes for the first
 * must pass for the second. Both have {@link #SLOTS} task slots.
 */
abstract class ExecutorServiceContract {

    static final int SLOTS = 2;

    private ExecutorService executor;
    private Path dir;

    /** A new executor with {@link #SLOTS} slots. */
    abstract ExecutorService newExecutor();

    @BeforeEach
    void open() throws Exception {
        executor = newExecutor();
        dir = Files.createTempDirectory("executor-contract");
    }

    @AfterEach
    void openTheGateAndTerminate() throws Exception {
        openGate();
        executor.shutdown();
        assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    private Path marker(String name) {
        return dir.resolve(name);
    }

    private void openGate() {
        Tasks.create(dir.resolve("gate").toString());
    }

    @Test
    void aSubmittedCallableCompletesWithItsValue() throws Exception {
        assertThat(executor.submit(value(42)).get(30, TimeUnit.SECONDS)).isEqualTo(42);
    }

    @Test
    void aSubmittedRunnableCompletesWithNullOrTheResultGiven() throws Exception {
        assertThat(executor.submit(touch(marker("a"))).get(30, TimeUnit.SECONDS)).isNull();
        assertThat(executor.submit(touch(marker("b")), "given").get(30, TimeUnit.SECONDS)).isEqualTo("given");
        assertThat(marker("a")).exists();
        assertThat(marker("b")).exists();
    }

    @Test
    void executeRunsTheRunnable() throws Exception {
        executor.execute(touch(marker("ran")));
        awaitFile(marker("ran"));
    }

    @Test
    void aTaskThatThrowsFailsItsFutureWithTheTasksOwnExceptionAsCause() {
        Future<Integer> f = executor.submit(failing("boom"));
        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(f.isDone()).isTrue();
        assertThat(f.isCancelled()).isFalse();
    }

    @Test
    void getWithATimeoutThrowsTimeoutExceptionWhileTheTaskRuns() throws Exception {
        Future<String> f = executor.submit(blocker(dir, "slow"));
        assertThatThrownBy(() -> f.get(50, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(f.isDone()).isFalse();
        openGate();
        assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo("done slow");
    }

    @Test
    void cancelWithInterruptionInterruptsARunningTask() throws Exception {
        Future<String> f = executor.submit(blocker(dir, "t"));
        awaitFile(marker("t.started"));
        assertThat(f.cancel(true)).isTrue();
        assertThat(f.isCancelled()).isTrue();
        assertThat(f.isDone()).isTrue();
        assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
        awaitFile(marker("t.interrupted"));
        assertThat(f.cancel(true)).as("a second cancel fails: the future is done").isFalse();
    }

    @Test
    void cancelWithoutInterruptionLetsARunningTaskFinish() throws Exception {
        Future<String> f = executor.submit(blocker(dir, "t"));
        awaitFile(marker("t.started"));
        assertThat(f.cancel(false)).isTrue();
        assertThat(f.isCancelled()).isTrue();
        assertThatThrownBy(() -> f.get(1, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        openGate();
        awaitFile(marker("t.finished"));
        assertThat(marker("t.interrupted")).doesNotExist();
    }

    @Test
    void aCompletedTaskCannotBeCancelled() throws Exception {
        Future<Integer> f = executor.submit(value(1));
        f.get(30, TimeUnit.SECONDS);
        assertThat(f.cancel(true)).isFalse();
        assertThat(f.isCancelled()).isFalse();
        assertThat(f.get()).isEqualTo(1);
    }

    @Test
    void aTaskCancelledWhileWaitingForASlotNeverRuns() throws Exception {
        List<Future<String>> busy = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            busy.add(executor.submit(blocker(dir, "busy" + i)));
        }
        for (int i = 0; i < SLOTS; i++) {
            awaitFile(marker("busy" + i + ".started"));
        }
        Future<?> waiting = executor.submit(touch(marker("never")));
        assertThat(waiting.cancel(false)).isTrue();
        openGate();
        for (Future<String> f : busy) {
            f.get(30, TimeUnit.SECONDS);
        }
        // Whatever was queued behind the cancelled task has run once this has.
        executor.submit(value(0)).get(30, TimeUnit.SECONDS);
        executor.shutdown();
        assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(marker("never")).doesNotExist();
    }

    @Test
    void shutdownRejectsNewTasksAndLetsAcceptedOnesFinish() throws Exception {
        Future<String> accepted = executor.submit(blocker(dir, "t"));
        awaitFile(marker("t.started"));
        executor.shutdown();
        assertThat(executor.isShutdown()).isTrue();
        assertThat(executor.isTerminated()).isFalse();
        assertThatThrownBy(() -> executor.submit(value(1))).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> executor.execute(touch(marker("x")))).isInstanceOf(RejectedExecutionException.class);
        assertThat(executor.awaitTermination(50, TimeUnit.MILLISECONDS)).isFalse();
        openGate();
        assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(executor.isTerminated()).isTrue();
        assertThat(accepted.get()).isEqualTo("done t");
    }

    @Test
    void shutdownNowInterruptsRunningTasksAndHandsBackTheWaitingOnes() throws Exception {
        for (int i = 0; i < SLOTS; i++) {
            executor.submit(blocker(dir, "run" + i));
        }
        for (int i = 0; i < SLOTS; i++) {
            awaitFile(marker("run" + i + ".started"));
        }
        executor.submit(touch(marker("waiting0")));
        executor.submit(touch(marker("waiting1")));
        List<Runnable> neverStarted = executor.shutdownNow();
        assertThat(neverStarted).hasSize(2);
        assertThat(executor.isShutdown()).isTrue();
        for (int i = 0; i < SLOTS; i++) {
            awaitFile(marker("run" + i + ".interrupted"));
        }
        assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(executor.isTerminated()).isTrue();
        assertThat(marker("waiting0")).doesNotExist();
        assertThat(marker("waiting1")).doesNotExist();
        // What was handed back is the task itself: running it here runs it.
        neverStarted.get(0).run();
        assertThat(marker("waiting0")).exists();
    }

    @Test
    void shutdownOfAnIdleExecutorTerminatesAtOnce() throws Exception {
        executor.shutdown();
        assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        assertThat(executor.isTerminated()).isTrue();
        assertThat(executor.shutdownNow()).isEmpty();
    }

    @Test
    void invokeAllWaitsForEveryTaskAndKeepsTheirOrder() throws Exception {
        List<Callable<Integer>> tasks = List.of(value(0), value(1), failing("two"), value(3), value(4));
        List<Future<Integer>> futures = executor.invokeAll(tasks);
        assertThat(futures).hasSize(5).allMatch(Future::isDone);
        assertThat(futures.get(0).get()).isZero();
        assertThat(futures.get(4).get()).isEqualTo(4);
        assertThatThrownBy(() -> futures.get(2).get()).isInstanceOf(ExecutionException.class)
                .cause().hasMessage("two");
    }

    @Test
    void invokeAllWithATimeoutCancelsWhatHasNotFinished() throws Exception {
        List<Callable<Object>> serializable = List.of(asObject(value(1)), asObject(blocker(dir, "slow")));
        List<Future<Object>> futures = executor.invokeAll(serializable, 500, TimeUnit.MILLISECONDS);
        assertThat(futures).hasSize(2).allMatch(Future::isDone);
        assertThat(futures.get(0).get()).isEqualTo(1);
        assertThat(futures.get(1).isCancelled()).isTrue();
        awaitFile(marker("slow.interrupted"));
    }

    @Test
    void invokeAnyReturnsTheResultOfATaskThatSucceeded() throws Exception {
        assertThat(executor.invokeAny(List.of(failing("no"), value(7), failing("nor")))).isEqualTo(7);
    }

    @Test
    void invokeAnyThrowsExecutionExceptionWhenEveryTaskFails() {
        assertThatThrownBy(() -> executor.invokeAny(List.of(failing("a"), failing("b"))))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IllegalStateException.class);
    }

    @Test
    void invokeAnyWithATimeoutThrowsTimeoutExceptionAndCancelsTheTasks() throws Exception {
        assertThatThrownBy(() -> executor.invokeAny(List.of(blocker(dir, "slow")), 300, TimeUnit.MILLISECONDS))
                .isInstanceOf(TimeoutException.class);
        awaitFile(marker("slow.interrupted"));
    }

    @Test
    void invokeAnyCancelsTheOthersOnceOneSucceeds() throws Exception {
        // The winner waits until the slow one runs: a task cancelled before it starts is never interrupted.
        List<Callable<Object>> tasks = List.of(asObject(blocker(dir, "slow")),
                asObject(valueOnce(marker("slow.started"), 5)));
        assertThat(executor.invokeAny(tasks)).isEqualTo(5);
        awaitFile(marker("slow.interrupted"));
    }

    @Test
    void emptyBulkCallsFollowTheContract() throws Exception {
        assertThat(executor.invokeAll(List.<Callable<Integer>>of())).isEmpty();
        assertThatThrownBy(() -> executor.invokeAny(List.<Callable<Integer>>of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nullTasksAreRejectedWithNullPointerException() {
        assertThatThrownBy(() -> executor.submit((Callable<Integer>) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> executor.submit((Runnable) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> executor.execute(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> executor.invokeAll(Arrays.asList(value(1), null)))
                .isInstanceOf(NullPointerException.class);
        // A null that comes first (the JDK only promises to reject a null "subject to execution").
        assertThatThrownBy(() -> executor.invokeAny(Arrays.asList(null, value(1))))
                .isInstanceOf(NullPointerException.class);
    }

    @SuppressWarnings("unchecked")
    private static <T> Callable<Object> asObject(RemoteCallable<T> c) {
        return (Callable<Object>) (Callable<?>) c;
    }
}
