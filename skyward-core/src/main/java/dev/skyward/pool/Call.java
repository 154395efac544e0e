package dev.skyward.pool;

import dev.skyward.NodeLostException;
import dev.skyward.SkywardException;
import dev.skyward.Task;
import dev.skyward.wire.serial.Payload;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * One task call, from the user's task to its decoded result. The path of {@code pool.run(task)},
 * read top to bottom here:
 *
 * <ol>
 *   <li>{@link #of}: the {@link TaskCodec} turns the task into bytes (checking what it captures);
 *   <li>{@link #start}: the {@link Dispatcher} picks a node now, or keeps the call until one can
 *       take it, and calls {@link #sendTo};
 *   <li>{@link #sendTo}: the codec sends the bytes to that {@link NodeConnection}, which answers
 *       with a {@link PendingTask}; its answer settles the call in {@link #answered}, or, when the
 *       node was lost while the task ran, sends it to the dispatcher again, up to {@code retries}
 *       times (a task that threw is never sent again, and the result completes once);
 *   <li>{@link #await} (or {@link #future}): waits, then the codec decodes the result or translates
 *       the failure into the exception the user sees.
 * </ol>
 *
 * <pre>{@code
 * Call<Integer> c = Call.of(context, task, -1, 3).start();
 * int v = c.await();
 * }</pre>
 *
 * @param <T> the result type
 */
final class Call<T> {

    /**
     * What every call of one pool shares.
     *
     * @param codec encodes, sends, decodes
     * @param dispatcher picks each attempt's node
     * @param background where retries are sent from (never the transport's or a loss listener's thread)
     * @param closing whether the pool is closing: no retry then
     */
    record Context(TaskCodec codec, Dispatcher dispatcher, Executor background, BooleanSupplier closing) {
    }

    private final Context context;
    private final Object task;
    private final Payload payload;
    private final ClassLoader loader;
    /** The rank the call is pinned to, or -1. */
    final int rank;
    private final int retries;
    private final CompletableFuture<Payload> raw = new CompletableFuture<>();
    private int retried;
    private volatile PendingTask current;
    private volatile NodeConnection node;
    private volatile NodeLostException lastLoss;
    private volatile boolean cancelled;

    Call(Context context, Object task, Payload payload, ClassLoader loader, int rank, int retries) {
        this.context = context;
        this.task = task;
        this.payload = payload;
        this.loader = loader;
        this.rank = rank;
        this.retries = retries;
    }

    /**
     * A call of the task, its bytes made on the caller's thread (so a task that cannot travel fails
     * here); pinned to {@code rank} or not ({@code -1}). A {@link Task#once} task is never retried.
     */
    static <T> Call<T> of(Context context, Task<T> task, int rank, int retries) {
        Task<T> actual = task instanceof Task.Once<T> once ? once.task() : task;
        ClassLoader loader = TaskCodec.loaderOf(actual);
        Payload payload = context.codec().encode(actual, loader, "task");
        return new Call<>(context, actual, payload, loader, rank, actual != task ? 0 : retries);
    }

    /** Hands the call to the dispatcher; returns at once. */
    Call<T> start() {
        context.dispatcher().dispatch(this);
        return this;
    }

    /** Sends this attempt to {@code to}; its answer settles the call or sends it again. */
    void sendTo(NodeConnection to) {
        if (cancelled || raw.isDone()) {
            return;
        }
        node = to;
        PendingTask p = context.codec().send(to, task, payload, loader);
        current = p;
        p.raw.whenComplete((bytes, error) -> answered(p, bytes, error));
    }

    private void answered(PendingTask p, Payload bytes, Throwable error) {
        try {
            if (error == null) {
                raw.complete(bytes);
            } else if (error instanceof NodeConnection.NotSent) {
                // The node was lost before the task left: it never ran, so this is no retry.
                again();
            } else if (error instanceof NodeLostException lost && !cancelled && !context.closing().getAsBoolean()) {
                lastLoss = lost;
                if (retried < retries) {
                    retried++;
                    again();
                } else {
                    raw.completeExceptionally(retries == 0 ? lost : new NodeLostException(lost.rank(),
                            lost.getMessage() + "; the task was sent " + (retried + 1) + " times (retries(" + retries
                                    + ")), each time to a node that was lost", lost.getCause()));
                }
            } else {
                raw.completeExceptionally(error);
            }
        } finally {
            context.dispatcher().drain(); // a slot freed up on that node
        }
    }

    private void again() {
        context.background().execute(() -> context.dispatcher().dispatch(this));
    }

    /** Ends the call without an answer (the dispatcher has no node for it, or the pool closed). */
    void fail(Throwable t) {
        raw.completeExceptionally(t);
    }

    /** A node loss to fail the call with, carrying the last loss it saw (what the user wants to read). */
    NodeLostException lostWith(String why) {
        NodeLostException last = lastLoss;
        return last == null ? new NodeLostException(rank, why, null)
                : new NodeLostException(last.rank(), last.getMessage() + "; " + why, last.getCause());
    }

    boolean hasLoss() {
        return lastLoss != null;
    }

    /** Waits for the result; interrupting the wait cancels the task. */
    T await() {
        Spin.briefly(raw);
        try {
            return decode(raw.get());
        } catch (InterruptedException e) {
            cancel();
            Thread.currentThread().interrupt();
            throw new SkywardException("interrupted while waiting for task " + id() + "; the task was cancelled", e);
        } catch (ExecutionException e) {
            throw translate(e.getCause());
        }
    }

    /** The result as a future, decoded on {@code completions}; cancelling it cancels the task. */
    CompletableFuture<T> future(Executor completions) {
        CompletableFuture<T> f = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                boolean done = super.cancel(mayInterruptIfRunning);
                if (done) {
                    Call.this.cancel();
                }
                return done;
            }
        };
        raw.whenCompleteAsync((bytes, error) -> {
            if (error != null) {
                f.completeExceptionally(translate(error));
            } else {
                try {
                    f.complete(decode(bytes));
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            }
        }, completions);
        return f;
    }

    /** Interrupts the task on its node; it is not sent again. */
    void cancel() {
        cancelled = true;
        PendingTask p = current;
        NodeConnection n = node;
        if (p != null && n != null) {
            n.cancel(p.id);
        }
    }

    private long id() {
        PendingTask p = current;
        return p == null ? -1 : p.id;
    }

    private int servedBy() {
        PendingTask p = current;
        return p == null ? rank : p.rank;
    }

    private T decode(Payload bytes) {
        return TaskCodec.decode(bytes, loader, id(), servedBy());
    }

    private RuntimeException translate(Throwable error) {
        return TaskCodec.translate(error, loader, id(), servedBy());
    }

    /**
     * Whether a caller may spin for its answer before it parks. A no-op's answer comes back in about
     * 150 µs, and on a machine with a core to spare a caller that spins for it answers sooner than one
     * that parks and is woken (waking from idle costs more than the spin). But the spin is paid in a
     * core's time, and where cores are shared (a busy laptop, agents on the same 2 cores, a node whose
     * cores a training job owns) that time is taken from whoever needs it: the agents, the event loop,
     * the other program. So a caller spins only while the machine has a whole core idle for it and
     * another for the transport thread that completes its answer (not counting the time spent spinning
     * here), and only as many callers spin at once as there are such cores; the rest park and are woken
     * once, by that thread. On 2 cores with the nodes on the same machine nobody spins: there the spin
     * took the core the answer needed (round trip p50 350 → 310 µs and the caller's CPU per call 300 →
     * 160 µs without it, PROFILING.md).
     */
    static final class Spin {
        private static final long MAX_NANOS = 150_000;
        private static final int CORES = Runtime.getRuntime().availableProcessors();
        private static final java.util.concurrent.atomic.AtomicInteger SPINNING =
                new java.util.concurrent.atomic.AtomicInteger();
        private static final java.util.concurrent.atomic.LongAdder SPUN = new java.util.concurrent.atomic.LongAdder();
        /** How many callers may spin at once now: the machine's idle cores at the last {@link #sample}. */
        private static volatile int allowed;
        private static long lastSampleNanos;
        private static long lastSpun;

        private Spin() {
        }

        /** Spins until {@code answer} is done or the spin's time is up, if a core is idle for it. */
        static void briefly(CompletableFuture<?> answer) {
            if (answer.isDone() || SPINNING.get() >= allowed) {
                return;
            }
            if (SPINNING.incrementAndGet() > allowed) {
                SPINNING.decrementAndGet();
                return;
            }
            long start = System.nanoTime();
            long now = start;
            try {
                while (!answer.isDone() && (now = System.nanoTime()) - start < MAX_NANOS) {
                    Thread.onSpinWait();
                }
            } finally {
                SPINNING.decrementAndGet();
                SPUN.add(now - start);
            }
        }

        /**
         * Counts the machine's idle cores since the last sample, the time callers spun here counted as
         * idle; a pool calls this from its heartbeat (twice a second), so the answer follows the load.
         */
        static synchronized void sample() {
            long now = System.nanoTime();
            long spun = SPUN.sum();
            double load = systemCpuLoad();
            long interval = now - lastSampleNanos;
            if (load >= 0 && lastSampleNanos != 0 && interval > 0) {
                double spinningCores = (double) (spun - lastSpun) / interval;
                allowed = allowedSpinners(CORES, load, spinningCores);
            }
            lastSampleNanos = now;
            lastSpun = spun;
        }

        /**
         * How many callers may spin: the idle cores (those spinning here count as idle), less the one
         * kept for the thread that completes the answers.
         *
         * @param load the machine's CPU use, 0 to 1, the spinning included
         * @param spinningCores the cores' worth of time spent spinning here in the same interval
         */
        static int allowedSpinners(int cores, double load, double spinningCores) {
            return Math.max(0, (int) Math.floor(cores * (1 - load) + spinningCores) - 1);
        }

        /** The whole machine's CPU use since the last call, 0 to 1; negative where the JDK cannot tell. */
        private static double systemCpuLoad() {
            return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    instanceof com.sun.management.OperatingSystemMXBean os ? os.getCpuLoad() : -1;
        }
    }
}
