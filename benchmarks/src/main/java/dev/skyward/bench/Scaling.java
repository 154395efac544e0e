package dev.skyward.bench;

import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * The rows that show how cost grows with the work, identical for every {@link Scaled}:
 *
 * <ul>
 *   <li>{@code bcast.N}: a no-op on every node of an N-node pool / cluster, for N in
 *       {@code bench.bcast.nodes} (default 1,2,4,8): p50 and p99 latency;
 *   <li>{@code map.N}: {@code map(x -> x + 1)} over N boxed integers on 2 nodes, for N in
 *       {@code bench.map.items} (default 10,000, 100,000, 1,000,000): items/s and the client's peak
 *       heap above what it used before the call (the input list is allocated before); a size predicted
 *       to take more than {@code bench.map.maxSeconds} (default 150) at the previous size's rate is skipped;
 *   <li>{@code res.M}: one M-MiB result ({@code bench.big.mib}, default 1024) on 2 nodes: MB/s and
 *       the client's peak heap above what it used before the call, as MiB and as a multiple of the payload.
 * </ul>
 *
 * Sizes go up in order (the peer's cluster can only grow); each row is measured once per round
 * (medians come from rounds), after an unmeasured warm-up of the same operation.
 */
final class Scaling {

    private final Params p;
    private final Results out;
    private final Workloads phases;
    private final int[] bcastNodes = ints("bench.bcast.nodes", "1,2,4,8");
    private final int[] mapItems;
    private final int bigMiB = Integer.getInteger("bench.big.mib", 1024);
    private final int bcastWarmup;
    private final int bcastIters;
    private final int bigReps = Integer.getInteger("bench.big.reps", 4);
    private final int bigWarmup = Integer.getInteger("bench.big.warmup", 1);
    private final int mapMaxSeconds = Integer.getInteger("bench.map.maxSeconds", 150);
    private String lastRate = "0";

    Scaling(Params p, Results out) {
        this.p = p;
        this.out = out;
        this.phases = new Workloads(null, p, out);
        boolean quick = Boolean.getBoolean("bench.quick");
        this.mapItems = ints("bench.map.items", quick ? "1000,10000" : "10000,100000,1000000");
        this.bcastWarmup = Integer.getInteger("bench.bcast.warmup", quick ? 100 : 500);
        this.bcastIters = Integer.getInteger("bench.bcast.iters", quick ? 300 : 2_000);
        out.put("param.bcast.nodes", join(bcastNodes));
        out.put("param.bcast.iters", bcastIters);
        out.put("param.map.items", join(mapItems));
        out.put("param.big.mib", bigMiB);
        out.put("param.big.reps", bigReps);
    }

    void runAll(Scaled.Opener opener) {
        String only = System.getProperty("bench.scale.phases", "bcast,map,big");
        int workNodes = 2;
        TreeSet<Integer> sizes = new TreeSet<>();
        if (only.contains("bcast")) {
            Arrays.stream(bcastNodes).forEach(sizes::add);
        }
        if (only.contains("map") || only.contains("big")) {
            sizes.add(workNodes);
        }
        for (int n : sizes) {
            System.out.println("-- opening " + n + " node(s)");
            try (Scaled t = opener.open(n)) {
                if (only.contains("bcast") && Arrays.stream(bcastNodes).anyMatch(b -> b == n)) {
                    phases.phase("bcast." + n, () -> broadcast(t, n));
                }
                if (n == workNodes && only.contains("map")) {
                    phases.phase("map.warmup", () -> t.mapAddOne(items(Math.min(1_000, mapItems[0]))));
                    double rate = 0;
                    for (int items : mapItems) {
                        // A size whose predicted time (at the last size's rate) exceeds the limit is
                        // skipped and says so, to keep one run of run.sh within its time budget.
                        if (rate > 0 && items / rate > mapMaxSeconds) {
                            out.put("map." + items + ".skipped", "predicted " + Stats.fmt(items / rate)
                                    + " s at the last size's rate, over bench.map.maxSeconds=" + mapMaxSeconds);
                            continue;
                        }
                        lastRate = "0";
                        phases.phase("map." + items, () -> map(t, items));
                        rate = Double.parseDouble(lastRate);
                    }
                }
                if (n == workNodes && only.contains("big")) {
                    phases.phase("res." + bigMiB, () -> bigResult(t));
                }
            } catch (Throwable e) {
                out.error("scale." + n, e);
            }
        }
    }

    private void broadcast(Scaled t, int nodes) throws Exception {
        for (int i = 0; i < bcastWarmup; i++) {
            t.broadcastNoop();
        }
        Workloads.settle();
        long[] ns = new long[bcastIters];
        for (int i = 0; i < ns.length; i++) {
            long t0 = System.nanoTime();
            t.broadcastNoop();
            ns[i] = System.nanoTime() - t0;
        }
        Arrays.sort(ns);
        out.put("bcast." + nodes + ".p50.us", Stats.fmt(Stats.percentile(ns, 0.50) / 1e3));
        out.put("bcast." + nodes + ".p99.us", Stats.fmt(Stats.percentile(ns, 0.99) / 1e3));
    }

    private void map(Scaled t, int count) throws Exception {
        List<Integer> in = items(count);
        HeapWatch heap = HeapWatch.start();
        long t0 = System.nanoTime();
        List<Integer> res = t.mapAddOne(in);
        long ns = System.nanoTime() - t0;
        heap.stop();
        if (res.size() != count || res.get(0) != 1 || res.get(count - 1) != count) {
            throw new IllegalStateException("map over " + count + " items came back wrong: size " + res.size());
        }
        out.put("map." + count + ".s", Stats.fmt(ns / 1e9));
        lastRate = Stats.fmt(count / (ns / 1e9));
        out.put("map." + count + ".items_per_s", lastRate);
        out.put("map." + count + ".heap.MiB", Stats.fmt(heap.peakMiB()));
        out.put("map." + count + ".heap_live.MiB", Stats.fmt(heap.liveMiB()));
    }

    private void bigResult(Scaled t) throws Exception {
        int size = bigMiB << 20;
        for (int i = 0; i < bigWarmup; i++) {
            check(t.fetchResult(size), size);
        }
        double[] rates = new double[bigReps];
        double[] heap = new double[bigReps];
        double[] live = new double[bigReps];
        for (int i = 0; i < bigReps; i++) {
            HeapWatch w = HeapWatch.start();
            long t0 = System.nanoTime();
            byte[] r = t.fetchResult(size);
            long ns = System.nanoTime() - t0;
            w.stop();
            heap[i] = w.peakMiB();
            live[i] = w.liveMiB();
            check(r, size);
            r = null;
            rates[i] = size / (ns / 1e9) / 1e6;
            System.out.println("  res." + bigMiB + " rep " + i + ": " + Stats.fmt(rates[i]) + " MB/s, client heap +"
                    + Stats.fmt(heap[i]) + " MiB");
        }
        out.put("res." + bigMiB + ".runs", Stats.list(rates));
        out.put("res." + bigMiB + ".MBps", Stats.fmt(Stats.median(rates)));
        out.put("res." + bigMiB + ".heap.MiB", Stats.fmt(Stats.median(heap)));
        out.put("res." + bigMiB + ".heap_live.MiB", Stats.fmt(Stats.median(live)));
        out.put("res." + bigMiB + ".heap.x_payload", String.format(java.util.Locale.ROOT, "%.2f",
                Stats.median(heap) / bigMiB));
    }

    private static void check(byte[] r, int size) {
        if (r == null || r.length != size) {
            throw new IllegalStateException("result came back with length " + (r == null ? "null" : r.length)
                    + ", expected " + size);
        }
    }

    static List<Integer> items(int count) {
        return IntStream.range(0, count).boxed().toList();
    }

    private static int[] ints(String property, String def) {
        return Arrays.stream(System.getProperty(property, def).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToInt(Integer::parseInt).toArray();
    }

    private static String join(int[] v) {
        return String.join(",", Arrays.stream(v).mapToObj(Integer::toString).toList());
    }
}
