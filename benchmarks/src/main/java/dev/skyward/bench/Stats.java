package dev.skyward.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Percentiles and medians, nearest-rank. */
final class Stats {

    private Stats() {
    }

    /** Nearest-rank percentile of an array sorted ascending; {@code q} in (0, 1]. */
    static long percentile(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    static double median(List<Double> values) {
        return median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    static String list(double[] values) {
        StringBuilder sb = new StringBuilder();
        for (double v : values) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(String.format(Locale.ROOT, "%.1f", v));
        }
        return sb.toString();
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
