package dev.skyward.bench;

import dev.skyward.Accelerator;
import dev.skyward.Allocation;
import dev.skyward.Selection;
import dev.skyward.offer.AcceleratorNames;
import dev.skyward.offer.Candidate;
import dev.skyward.offer.Catalog;
import dev.skyward.offer.OfferSearch;
import dev.skyward.spi.Offer;
import dev.skyward.spi.OfferQuery;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * How long offer selection takes over 100,000 catalog rows (the target: under 50 ms). The rows are
 * the built-in catalogs' rows, replicated over synthetic regions and zones with jittered prices, so
 * the mix of accelerators, counts and spot prices stays realistic.
 *
 * <pre>
 * mvn -q -B -pl benchmarks -am package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/cp.txt) dev.skyward.bench.SelectionBenchmark [rows] [runs]
 * </pre>
 *
 * <p>Each scenario runs {@code runs} times after a warm-up of the same number; it prints median,
 * 90th percentile and maximum in milliseconds, and how many candidates the selection returned.
 */
public final class SelectionBenchmark {

    private SelectionBenchmark() {
    }

    /**
     * @param args optional row count (default 100000) and measured runs per scenario (default 50)
     */
    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        List<Offer> offers = synthetic(rows);
        System.out.printf(Locale.ROOT, "selection over %,d catalog rows, %d runs per scenario (java %s)%n",
                offers.size(), runs, System.getProperty("java.version"));
        AcceleratorNames names = AcceleratorNames.builtIn();
        scenario("CHEAPEST H100:8 on-demand", runs, () -> OfferSearch.select(offers,
                query(names.parse("H100:8"), Allocation.ON_DEMAND), Set.of(), Selection.CHEAPEST));
        scenario("CHEAPEST H100:8 spot-if-available", runs, () -> OfferSearch.select(offers,
                query(names.parse("H100:8"), Allocation.SPOT_IF_AVAILABLE), Set.of(), Selection.CHEAPEST));
        scenario("FIRST A100-80GB:8 on-demand", runs, () -> OfferSearch.select(offers,
                query(names.parse("A100-80GB:8"), Allocation.ON_DEMAND), Set.of(), Selection.FIRST));
        // Worst case: no accelerator filter, so every row is a candidate (twice, spot and on-demand) and sorted.
        scenario("CHEAPEST any node spot-if-available (all rows)", runs, () -> OfferSearch.select(offers,
                query(Accelerator.NONE, Allocation.SPOT_IF_AVAILABLE), Set.of(), Selection.CHEAPEST));
    }

    private static OfferQuery query(Accelerator a, Allocation allocation) {
        return new OfferQuery(a, 2, allocation, 0, 0, List.of(), Double.POSITIVE_INFINITY);
    }

    private static void scenario(String name, int runs, Supplier<List<Candidate>> select) {
        int size = 0;
        for (int i = 0; i < runs; i++) {
            size += select.get().size(); // warm-up: let the JIT compile the search
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            size = select.get().size();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf(Locale.ROOT, "%-48s median %7.2f ms  p90 %7.2f ms  max %7.2f ms  (%,d candidates)%n", name,
                ms[runs / 2], ms[(int) Math.min(runs - 1, Math.ceil(runs * 0.9) - 1)], ms[runs - 1], size);
    }

    private static List<Offer> synthetic(int rows) {
        List<Offer> base = new ArrayList<>();
        for (String p : Catalog.providers()) {
            base.addAll(Catalog.load(p).offers());
        }
        Random random = new Random(42);
        List<Offer> out = new ArrayList<>(rows);
        for (int i = 0; out.size() < rows; i++) {
            Offer o = base.get(i % base.size());
            int copy = i / base.size();
            double jitter = 0.8 + 0.4 * random.nextDouble();
            out.add(new Offer(o.provider(), o.instanceType(), o.accelerator(), o.vcpus(), o.memoryGiB(),
                    o.region() + "-" + copy / 4, copy % 4 == 0 ? o.zone() : o.region() + "-" + copy / 4 + "abcd".charAt(copy % 4),
                    o.onDemandPrice() * jitter, o.hasSpot() ? o.spotPrice() * jitter : Double.NaN, o.arch()));
        }
        return out;
    }
}
