package dev.skyward.parallel;

import dev.skyward.ComputePool;
import dev.skyward.PoolConfigurationException;
import dev.skyward.Task;
import dev.skyward.TaskFailedException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An {@link ExecutorService} whose tasks run on the nodes of a {@link ComputePool}, so code written
 * against {@code java.util.concurrent} spreads over the pool unchanged.
 *
 * <pre>{@code
 * ExecutorService exec = pool.executor();
 * List<RemoteCallable<Double>> folds = ...;                 // serializable callables
 * for (Future<Double> f : exec.invokeAll(folds)) { ... }
 * Future<String> one = exec.submit((RemoteCallable<String>) () -> InetAddress.getLocalHost().getHostName());
 * one.cancel(true);                                         // interrupts it on its node
 * CompletableFuture<Double> cf = pool.executor().supplyAsync(() -> score(cfg));   // a chain's remote start
 * exec.shutdown();                                          // the pool stays open; close it as usual
 * }</pre>
 *
 * <h2>What it accepts</h2>
 * A task travels, so it must be serializable: a lambda typed as {@link RemoteCallable},
 * {@link RemoteRunnable} or {@link RemoteSupplier}, an intersection cast such as
 * {@code (Callable<T> & Serializable) () -> ...}, or an object whose class implements
 * {@link java.io.Serializable}. Anything else fails on the caller's thread, before anything is sent,
 * with a {@link dev.skyward.TaskSerializationException} saying how to fix it, and so does a
 * serializable task that captures something that is not. What a task returns travels back.
 *
 * <h2>Semantics</h2>
 * As {@code ThreadPoolExecutor} with as many threads as the pool has task slots (nodes x tasks per
 * node): at most that many tasks are on the nodes at once, the rest wait here, in submission order.
 * A task handed to a node counts as started. {@code cancel(false)} of a waiting task means it never
 * runs; of a started one, that it runs to its end on its node and its result is dropped;
 * {@code cancel(true)} interrupts it on its node. {@code get()} throws an {@link ExecutionException}
 * whose cause is the task's own exception (rebuilt here, with the node's stack); a node lost or a
 * pool closed is the cause instead. After {@link #shutdown()} new tasks are rejected with
 * {@link RejectedExecutionException}; tasks already accepted still run. {@link #shutdownNow()}
 * hands back the tasks that never started (running one in this JVM runs the task here, as with
 * {@code ThreadPoolExecutor}) and interrupts the started ones on their nodes. Shutting the executor
 * down does not close the pool, and closing the pool fails the executor's unfinished tasks.
 *
 * <h2>Differences from ThreadPoolExecutor</h2>
 * <ul>
 * <li>The future of a task interrupted by {@code shutdownNow} is cancelled, where a
 *     {@code ThreadPoolExecutor} lets it complete with what the interrupted task returned or threw.
 * <li>A task cancelled with interruption frees its slot at once; its node may still be unwinding it.
 * <li>{@code CompletableFuture.supplyAsync(supplier, executor)}, {@code runAsync} and the
 *     {@code *Async(..., executor)} stages hand the executor a JDK-internal object that must complete
 *     a future in this JVM; it cannot run on a node, so it is refused with an exception that says so.
 *     Use {@link #supplyAsync(RemoteSupplier)} and {@link #runAsync(RemoteRunnable)}, and
 *     {@code thenCompose(v -> exec.supplyAsync(() -> f(v)))} for a remote step in the middle of a chain.
 * <li>{@code ExecutorCompletionService} over this executor is refused for the same reason (it hands
 *     the executor a JDK {@code FutureTask}); {@link ComputePool#mapUnordered} gives completion order.
 * <li>{@link #execute(Runnable)}: a failure goes to the uncaught-exception handler of the thread
 *     that received the answer, as a {@code ThreadPoolExecutor} worker's would.
 * </ul>
 */
public final class PoolExecutor implements ExecutorService {

    private final ComputePool pool;
    private final int slots;
    private final ArrayDeque<Job<?>> waiting = new ArrayDeque<>();
    private final Set<Job<?>> started = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Jobs cancelled with interruption before their node's future existed. */
    private final Set<Job<?>> interruptOnCancel = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean shutdown;

    private PoolExecutor(ComputePool pool, int slots) {
        this.pool = pool;
        this.slots = slots;
    }

    /**
     * An executor on {@code pool} that keeps at most {@code maxInFlight} tasks on the nodes.
     * {@link ComputePool#executor()} is this with the pool's task slots.
     *
     * @param pool the pool; it outlives the executor
     * @param maxInFlight at least 1
     * @return a new executor
     */
    public static PoolExecutor on(ComputePool pool, int maxInFlight) {
        Objects.requireNonNull(pool, "pool");
        if (maxInFlight < 1) {
            throw new PoolConfigurationException("maxInFlight must be at least 1, was " + maxInFlight);
        }
        return new PoolExecutor(pool, maxInFlight);
    }

    /** How many tasks this executor keeps on the nodes at most. */
    public int maxInFlight() {
        return slots;
    }

    // ---- accepting tasks ----

    @Override
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        Travel.requireSerializable(task, "Callable");
        return accept(new Job<>(this, new NodeTasks.OfCallable<>(task), task, v -> cast(v)), task, "Callable");
    }

    @Override
    public <T> CompletableFuture<T> submit(Runnable task, T result) {
        Objects.requireNonNull(task, "task");
        Travel.requireSerializable(task, "Runnable");
        return accept(new Job<>(this, new NodeTasks.OfRunnable(task), () -> {
            task.run();
            return result;
        }, v -> result), task, "Runnable");
    }

    @Override
    public CompletableFuture<?> submit(Runnable task) {
        return submit(task, null);
    }

    @Override
    public void execute(Runnable command) {
        CompletableFuture<?> job = submit(command);
        job.whenComplete((v, e) -> {
            if (e != null && !(e instanceof CancellationException)) {
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
            }
        });
    }

    /**
     * Runs a supplier on a node: {@code CompletableFuture.supplyAsync(supplier, executor)} for a pool.
     * The future can start a chain; stages without an executor run here, in this JVM.
     *
     * <pre>{@code
     * pool.executor().supplyAsync(() -> train(cfg)).thenApply(Model::score).thenAccept(System.out::println);
     * }</pre>
     *
     * @param supplier runs on a node
     * @param <T> result type
     * @return completes with what the supplier returned, or exceptionally with what it threw
     */
    public <T> CompletableFuture<T> supplyAsync(RemoteSupplier<T> supplier) {
        Objects.requireNonNull(supplier, "supplier");
        Travel.requireSerializable(supplier, "Supplier");
        return accept(new Job<>(this, new NodeTasks.OfSupplier<>(supplier), supplier::get, v -> cast(v)), supplier,
                "Supplier");
    }

    /**
     * Runs a runnable on a node: {@code CompletableFuture.runAsync(runnable, executor)} for a pool.
     *
     * @param runnable runs on a node
     * @return completes when it has run
     */
    public CompletableFuture<Void> runAsync(RemoteRunnable runnable) {
        Objects.requireNonNull(runnable, "runnable");
        return submit(runnable, (Void) null);
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object v) {
        return (T) v;
    }

    private <T> Job<T> accept(Job<T> job, Object original, String kind) {
        boolean now;
        synchronized (this) {
            if (shutdown) {
                throw new RejectedExecutionException("this executor of pool " + pool.id()
                        + " is shut down and accepts no new tasks; use pool.executor() for a new one");
            }
            now = started.size() < slots && waiting.isEmpty();
            if (now) {
                started.add(job);
            }
        }
        if (!now) {
            // Sent later, from another thread: whatever cannot travel must fail here, now.
            Travel.requireTravels(original, kind);
            synchronized (this) {
                if (shutdown) {
                    throw new RejectedExecutionException("this executor of pool " + pool.id() + " is shut down");
                }
                if (started.size() < slots && waiting.isEmpty()) {
                    started.add(job);
                    now = true;
                } else {
                    waiting.add(job);
                }
            }
        }
        if (now) {
            try {
                send(job);
            } catch (RuntimeException e) {
                finished(job);
                throw e;
            }
        }
        return job;
    }

    private void send(Job<?> job) {
        CompletableFuture<?> remote = pool.submit(job.task);
        boolean cancelledMeanwhile;
        synchronized (this) {
            job.remote = remote;
            cancelledMeanwhile = job.isCancelled() && interruptOnCancel.contains(job);
        }
        if (cancelledMeanwhile) {
            remote.cancel(true);
        }
        remote.whenComplete((v, e) -> {
            job.settle(v, e);
            finished(job);
        });
    }

    /** A started job's node answered: its slot goes to the next waiting job. */
    private void finished(Job<?> job) {
        List<Job<?>> next = new ArrayList<>();
        synchronized (this) {
            if (!started.remove(job)) {
                return;
            }
            interruptOnCancel.remove(job);
            while (started.size() < slots && !waiting.isEmpty()) {
                Job<?> j = waiting.poll();
                started.add(j);
                next.add(j);
            }
            notifyAll();
        }
        for (Job<?> j : next) {
            try {
                send(j);
            } catch (RuntimeException e) {
                j.completeExceptionally(e);
                finished(j);
            }
        }
    }

    /** A job's future was cancelled. */
    void cancelled(Job<?> job, boolean mayInterrupt) {
        CompletableFuture<?> remote;
        synchronized (this) {
            if (waiting.remove(job)) {
                notifyAll();
                return;
            }
            remote = job.remote;
            if (remote == null && mayInterrupt && started.contains(job)) {
                interruptOnCancel.add(job);
            }
        }
        if (remote != null && mayInterrupt) {
            remote.cancel(true);
        }
    }

    static Throwable unwrap(Throwable e) {
        Throwable t = e;
        if (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof TaskFailedException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    // ---- shutting down ----

    @Override
    public synchronized void shutdown() {
        shutdown = true;
        notifyAll();
    }

    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> neverStarted;
        List<Job<?>> running;
        synchronized (this) {
            shutdown = true;
            neverStarted = new ArrayList<>(waiting);
            waiting.clear();
            running = new ArrayList<>(started);
            notifyAll();
        }
        for (Job<?> j : running) {
            j.cancel(true);
        }
        return neverStarted;
    }

    @Override
    public synchronized boolean isShutdown() {
        return shutdown;
    }

    @Override
    public synchronized boolean isTerminated() {
        return shutdown && started.isEmpty() && waiting.isEmpty();
    }

    @Override
    public synchronized boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (!isTerminated()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    // ---- bulk ----

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        return invokeAll(tasks, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        long deadline = deadline(timeout, unit);
        List<Future<T>> futures = submitAll(tasks);
        try {
            for (Future<T> f : futures) {
                if (f.isDone()) {
                    continue;
                }
                try {
                    f.get(remaining(deadline), TimeUnit.NANOSECONDS);
                } catch (ExecutionException | CancellationException e) {
                    // the future reports it
                } catch (TimeoutException e) {
                    cancelAll(futures);
                    return futures;
                }
            }
            return futures;
        } catch (InterruptedException | RuntimeException | Error e) {
            cancelAll(futures);
            throw e;
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return invokeAny(tasks, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no deadline, yet timed out", e);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = deadline(timeout, unit);
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("invokeAny needs at least one task");
        }
        List<Future<T>> futures = submitAll(tasks);
        BlockingQueue<Future<T>> done = new LinkedBlockingQueue<>();
        for (Future<T> f : futures) {
            ((CompletableFuture<T>) f).whenComplete((v, e) -> done.add(f));
        }
        try {
            ExecutionException last = null;
            for (int i = 0; i < futures.size(); i++) {
                Future<T> f = done.poll(remaining(deadline), TimeUnit.NANOSECONDS);
                if (f == null) {
                    throw new TimeoutException("no task of invokeAny finished within " + timeout + " " + unit);
                }
                try {
                    return f.get();
                } catch (ExecutionException e) {
                    last = e;
                } catch (CancellationException e) {
                    last = new ExecutionException(e);
                }
            }
            throw last;
        } finally {
            cancelAll(futures);
        }
    }

    /** Every task is checked before the first is sent, so a bad one sends none. */
    private <T> List<Future<T>> submitAll(Collection<? extends Callable<T>> tasks) {
        Objects.requireNonNull(tasks, "tasks");
        for (Callable<T> t : tasks) {
            Objects.requireNonNull(t, "a task in the collection is null");
            Travel.requireSerializable(t, "Callable");
        }
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        try {
            for (Callable<T> t : tasks) {
                futures.add(submit(t));
            }
        } catch (RuntimeException e) {
            cancelAll(futures);
            throw e;
        }
        return futures;
    }

    private static <T> void cancelAll(List<Future<T>> futures) {
        for (Future<T> f : futures) {
            f.cancel(true);
        }
    }

    private static long remaining(long deadline) {
        return deadline == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, deadline - System.nanoTime());
    }

    private static long deadline(long timeout, TimeUnit unit) {
        long nanos = unit.toNanos(timeout);
        return nanos >= Long.MAX_VALUE / 2 ? Long.MAX_VALUE : System.nanoTime() + nanos;
    }

    @Override
    public String toString() {
        synchronized (this) {
            return "PoolExecutor[" + pool.id() + ", " + started.size() + " on nodes, " + waiting.size() + " waiting"
                    + (shutdown ? ", shut down" : "") + "]";
        }
    }
}
