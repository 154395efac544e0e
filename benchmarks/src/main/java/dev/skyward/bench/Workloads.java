package dev.skyward.bench;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The measured work, identical for every {@link Target}. Each phase records its results as soon as
 * it ends; a failing phase records an {@code error.*} key and the next phase still runs.
 *
 * <p>Units: latencies in microseconds; throughput in tasks per second; payload rates in MB/s with
 * MB = 10^6 bytes (a 256 MiB payload is 268.4 MB).
 */
final class Workloads {

    private final Target target;
    private final Params p;
    private final Results out;

    Workloads(Target target, Params p, Results out) {
        this.target = target;
        this.p = p;
        this.out = out;
    }

    void runAll() {
        String only = System.getProperty("bench.phases", "rt,tp,payload");
        if (only.contains("rt")) {
            phase("rt", this::roundTrip);
        }
        if (only.contains("tp")) {
            phase("tp", this::throughput);
        }
        if (only.contains("payload")) {
            payloads();
        }
    }

    interface Phase {
        void run() throws Exception;
    }

    void phase(String name, Phase phase) {
        System.out.println("-- " + name);
        settle();
        Load.record(out, name);
        try {
            phase.run();
        } catch (Throwable t) {
            out.error(name, t);
        }
    }

    /** Sequential no-op round trips: {@code rtWarmup} unmeasured, then {@code rtIters} timed one by one. */
    void roundTrip() throws Exception {
        for (int i = 0; i < p.rtWarmup(); i++) {
            target.noop();
        }
        settle();
        long[] ns = new long[p.rtIters()];
        ProcStats before = ProcStats.take();
        long start = System.nanoTime();
        for (int i = 0; i < ns.length; i++) {
            long t0 = System.nanoTime();
            target.noop();
            ns[i] = System.nanoTime() - t0;
        }
        long total = System.nanoTime() - start;
        ProcStats.take().since(before).record(out, "rt", ns.length);
        Arrays.sort(ns);
        out.put("rt.p50.us", Stats.fmt(Stats.percentile(ns, 0.50) / 1e3));
        out.put("rt.p90.us", Stats.fmt(Stats.percentile(ns, 0.90) / 1e3));
        out.put("rt.p99.us", Stats.fmt(Stats.percentile(ns, 0.99) / 1e3));
        out.put("rt.p999.us", Stats.fmt(Stats.percentile(ns, 0.999) / 1e3));
        out.put("rt.max.us", Stats.fmt(ns[ns.length - 1] / 1e3));
        out.put("rt.mean.us", Stats.fmt(total / 1e3 / ns.length));
    }

    /**
     * Asynchronous no-op tasks with at most {@code tpWindow} in flight: a warm-up run, then
     * {@code tpRuns} timed runs of {@code tpTasks} (each cut short after {@code tpMaxSeconds});
     * the median run is the result.
     */
    void throughput() throws Exception {
        burst(p.tpWarmup());
        double[] rates = new double[p.tpRuns()];
        double[] counts = new double[p.tpRuns()];
        for (int r = 0; r < rates.length; r++) {
            settle();
            long[] doneAndNs = burst(p.tpTasks());
            counts[r] = doneAndNs[0];
            rates[r] = doneAndNs[0] / (doneAndNs[1] / 1e9);
            System.out.println("  run " + r + ": " + doneAndNs[0] + " tasks, " + Stats.fmt(rates[r]) + " tasks/s");
        }
        out.put("tp.runs", Stats.list(rates));
        out.put("tp.tasks.runs", Stats.list(counts));
        out.put("tp.tasks_per_s", Stats.fmt(Stats.median(rates)));
    }

    /**
     * Submits up to {@code tasks} no-ops, at most {@code tpWindow} in flight, and stops submitting
     * after {@code tpMaxSeconds} (a slow system would otherwise take many minutes).
     *
     * @return tasks completed, nanoseconds from the first submit to the last completion
     */
    private long[] burst(int tasks) throws Exception {
        Semaphore window = new Semaphore(p.tpWindow());
        CountDownLatch done = new CountDownLatch(tasks);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long t0 = System.nanoTime();
        long stopAt = t0 + TimeUnit.SECONDS.toNanos(p.tpMaxSeconds());
        int submitted = 0;
        for (int i = 0; i < tasks && failure.get() == null; i++) {
            if ((i & 255) == 0 && System.nanoTime() > stopAt) {
                break;
            }
            if (!window.tryAcquire(p.timeoutSeconds(), TimeUnit.SECONDS)) {
                throw new TimeoutException("no task completed for " + p.timeoutSeconds() + " s");
            }
            target.submitNoop().whenComplete((r, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
                window.release();
                done.countDown();
            });
            submitted++;
        }
        for (int i = submitted; i < tasks; i++) {
            done.countDown();
        }
        if (failure.get() == null && !done.await(p.timeoutSeconds(), TimeUnit.SECONDS)) {
            throw new TimeoutException(done.getCount() + " of " + tasks + " tasks still running after "
                    + p.timeoutSeconds() + " s");
        }
        long ns = System.nanoTime() - t0;
        if (failure.get() != null) {
            throw new IllegalStateException("a no-op task failed", failure.get());
        }
        return new long[] {submitted, ns};
    }

    /**
     * For each payload size: a task capturing an array of that size (random content) that returns its
     * length ("argument"), and a task that returns a new array of that size ("result"); each call
     * timed to completion. The two directions are measured separately, so one failing does not hide
     * the other.
     */
    void payloads() {
        for (int mib : p.payloadMiB()) {
            int size = mib << 20;
            byte[] data = new byte[size];
            new SplittableRandom(42).nextBytes(data);
            phase("arg." + mib, () -> timed("arg." + mib, size, () -> check(target.sendArgument(data), size, "argument")));
            phase("res." + mib, () -> timed("res." + mib, size, () -> check(target.fetchResult(size).length, size, "result")));
        }
    }

    private void timed(String key, int size, Phase call) throws Exception {
        for (int i = 0; i < p.payloadWarmup(); i++) {
            call.run();
        }
        double[] rates = new double[p.payloadReps()];
        for (int i = 0; i < rates.length; i++) {
            settle();
            long t0 = System.nanoTime();
            call.run();
            long ns = System.nanoTime() - t0;
            rates[i] = size / (ns / 1e9) / 1e6;
            System.out.println("  " + key + " rep " + i + ": " + Stats.fmt(rates[i]) + " MB/s");
        }
        out.put(key + ".runs", Stats.list(rates));
        out.put(key + ".MBps", Stats.fmt(Stats.median(rates)));
    }

    private static void check(int got, int want, String what) {
        if (got != want) {
            throw new IllegalStateException(what + " came back with length " + got + ", expected " + want);
        }
    }

    /** A local GC and a short pause between phases, so one phase's garbage is not billed to the next. */
    static void settle() {
        System.gc();
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
