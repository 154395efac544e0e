package dev.skyward.bench;

import dev.skyward.ComputePool;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code pool.mapUnordered} over a lazily generated input of {@code -Dbench.items} elements (default
 * one million): prints the client's peak heap (the JVM's own per-pool peak counters, summed over the
 * heap pools, after a GC and a reset at the start) and the most elements ever taken from the input and
 * not yet consumed. Run it with a small fixed heap ({@code -Xmx64m}): holding a million futures or
 * results at once would not fit.
 *
 * <pre>
 * java -Xmx64m -cp benchmarks/target/benchmarks.jar:benchmarks/target/lib/* dev.skyward.bench.UnorderedMapMemory
 * </pre>
 */
public final class UnorderedMapMemory {

    private UnorderedMapMemory() {
    }

    public static void main(String[] args) {
        long items = Long.getLong("bench.items", 1_000_000);
        int nodes = Integer.getInteger("bench.nodes", 2);
        int concurrency = Integer.getInteger("bench.concurrency", 4);
        try (ComputePool pool = ComputePool.builder().name("unordered-bench").nodes(nodes).concurrency(concurrency)
                .console(false).output(l -> { }).build()) {
            AtomicLong taken = new AtomicLong();
            Iterator<Long> lazy = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return taken.get() < items;
                }

                @Override
                public Long next() {
                    return taken.getAndIncrement();
                }
            };
            System.gc();
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                p.resetPeakUsage();
            }
            long start = System.nanoTime();
            long consumed = 0;
            long sum = 0;
            long mostAhead = 0;
            try (Stream<Long> results = pool.mapUnordered(lazy, (ctx, x) -> x * 2, 2 * nodes * concurrency)) {
                for (Iterator<Long> it = results.iterator(); it.hasNext(); ) {
                    sum += it.next();
                    consumed++;
                    mostAhead = Math.max(mostAhead, taken.get() - consumed);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long peak = 0;
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                if (p.getType() == MemoryType.HEAP) {
                    peak += p.getPeakUsage().getUsed();
                }
            }
            boolean right = sum == items * (items - 1);
            System.out.printf("items=%d nodes=%d concurrency=%d window=%d maxHeap=%dMiB peakHeapUsed=%.1fMiB "
                    + "mostTakenNotConsumed=%d seconds=%.1f elementsPerSecond=%.0f sumCorrect=%s%n", items, nodes,
                    concurrency, 2 * nodes * concurrency, Runtime.getRuntime().maxMemory() >> 20, peak / 1048576.0,
                    mostAhead, seconds, consumed / seconds, right);
            if (!right || consumed != items) {
                System.exit(1);
            }
        }
    }
}
