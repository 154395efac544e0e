package dev.skyward.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Prints the Markdown table from the result files of one run ({@code cold.properties},
 * {@code ours*.properties}, {@code peer*.properties}; several rounds are reduced to medians) and
 * writes it to {@code table.md}.
 * Ratio is ours / peer; for latency rows lower is better, for rate rows higher is better.
 *
 * <pre>Report RESULTS_DIR</pre>
 */
public final class Report {

    private Report() {
    }

    private enum Better { LOWER, HIGHER }

    private record Row(String name, String oursKey, String peerKey, Better better, Double target, String targetText) {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        // Each file may hold a key several times (cold starts: one line per JVM) and there may be
        // several rounds (ours.1.properties, ours.2.properties ...): numbers are reduced to medians.
        Map<String, String> ours = merged(dir, "ours", "cold", "heal");
        Map<String, String> peer = merged(dir, "peer");

        Map<String, String> params = ours.containsKey("param.nodes") ? ours : peer;
        List<Row> rows = new ArrayList<>(List.of(
                new Row("Cold start, 1 node: build → first result (ms, median)", "cold.1.ms", null,
                        Better.LOWER, null, "—"),
                new Row("Cold start, 4 nodes: build → first result (ms, median)", "cold.4.ms", null,
                        Better.LOWER, 1500.0, "≤ 1500"),
                new Row("Node loss → replacement ready, local provider (ms, median)", "heal.replace.ms", null,
                        Better.LOWER, null, "—"),
                new Row("No-op round trip p50 (µs)", "rt.p50.us", "rt.p50.us", Better.LOWER, 150.0, "≤ 150"),
                new Row("No-op round trip p99 (µs)", "rt.p99.us", "rt.p99.us", Better.LOWER, null, "—"),
                new Row("No-op throughput, 2 nodes (tasks/s)", "tp.tasks_per_s", "tp.tasks_per_s", Better.HIGHER,
                        30_000.0, "≥ 30,000")));
        // The first payload size carries the 1 GB/s target; further sizes are diagnostic rows.
        String[] sizes = params.getOrDefault("param.payload.mib", "256").split(",");
        for (int i = 0; i < sizes.length; i++) {
            String mib = sizes[i].trim();
            Double target = i == 0 ? 1000.0 : null;
            String targetText = i == 0 ? "≥ 1000" : "— (diagnostic)";
            rows.add(new Row(mib + " MiB argument (MB/s)", "arg." + mib + ".MBps", "arg." + mib + ".MBps",
                    Better.HIGHER, target, targetText));
            rows.add(new Row(mib + " MiB result (MB/s)", "res." + mib + ".MBps", "res." + mib + ".MBps",
                    Better.HIGHER, target, targetText));
        }

        StringBuilder md = new StringBuilder();
        md.append("| row | ours | peer (Hazelcast) | ratio ours/peer | target | met? |\n");
        md.append("|---|---:|---:|---:|---|---|\n");
        for (Row r : rows) {
            Double o = number(ours.get(r.oursKey()));
            Double q = r.peerKey() == null ? null : number(peer.get(r.peerKey()));
            String ratio = o != null && q != null && q != 0 ? String.format(Locale.ROOT, "%.2f", o / q) : "—";
            List<String> missed = new ArrayList<>();
            if (o == null) {
                missed.add(ours.keySet().stream().anyMatch(k -> k.startsWith("error." + r.oursKey().replace(".MBps", "")))
                        ? "failed, see errors" : "not measured");
            } else {
                if (r.target() != null && !(r.better() == Better.LOWER ? o <= r.target() : o >= r.target())) {
                    missed.add("target");
                }
                if (q != null && !(r.better() == Better.LOWER ? o < q : o > q)) {
                    missed.add("peer");
                }
                if (r.peerKey() != null && q == null) {
                    missed.add("peer not measured");
                }
            }
            String met = missed.isEmpty() ? "yes" : "**no** (" + String.join(", ", missed) + ")";
            md.append("| ").append(r.name()).append(" | ").append(show(o)).append(" | ")
                    .append(r.peerKey() == null ? "—" : show(q)).append(" | ").append(ratio).append(" | ")
                    .append(r.targetText()).append(" | ").append(met).append(" |\n");
        }
        md.append('\n');
        md.append("Units: MB = 10^6 bytes (256 MiB = 268.4 MB). Ratio = ours / peer: below 1 is better for ms/µs rows, above 1 for rate rows.\n");
        md.append("Settings: ").append(nodesAndConcurrency(params)).append('\n');
        appendDetails(md, "ours", ours);
        appendDetails(md, "peer", peer);

        String text = md.toString();
        System.out.print(text);
        Files.writeString(dir.resolve("table.md"), text, StandardCharsets.UTF_8);
    }

    private static String nodesAndConcurrency(Map<String, String> r) {
        return "nodes/members=" + r.getOrDefault("param.nodes", "?") + ", per-node concurrency (Skyward .concurrency, Hazelcast executor pool-size)="
                + r.getOrDefault("param.concurrency", "?") + ", in-flight window=" + r.getOrDefault("param.tp.window", "?")
                + ", throughput tasks/run=" + r.getOrDefault("param.tp.tasks", "?") + " x " + r.getOrDefault("param.tp.runs", "?")
                + " runs (median), round trips measured=" + r.getOrDefault("param.rt.iters", "?")
                + " after " + r.getOrDefault("param.rt.warmup", "?") + " warm-up, payload reps=" + r.getOrDefault("param.payload.reps", "?")
                + " (median) of " + r.getOrDefault("param.payload.mib", "?") + " MiB.";
    }

    private static void appendDetails(StringBuilder md, String label, Map<String, String> r) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : r.entrySet()) {
            String k = e.getKey();
            if (!k.startsWith("param.") && (k.startsWith("rt.") || k.endsWith(".runs") || k.endsWith(".all")
                    || k.startsWith("cold.") || k.startsWith("heal.") || k.equals("system") || k.equals("members_gone"))) {
                sb.append(sb.length() == 0 ? "" : ", ").append(k).append('=').append(e.getValue());
            }
        }
        if (sb.length() > 0) {
            md.append('\n').append("Details, ").append(label).append(" (every repetition / round): ").append(sb).append('\n');
        }
    }

    /**
     * Reads every {@code PREFIX*.properties} file in {@code dir}, line by line. A key seen once keeps
     * its value; a numeric key seen several times becomes its median, with the values in
     * {@code KEY.all}; other repeated keys are joined with " | ".
     */
    static Map<String, String> merged(Path dir, String... prefixes) throws IOException {
        Map<String, List<String>> values = new LinkedHashMap<>();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(f -> {
                String n = f.getFileName().toString();
                return n.endsWith(".properties") && Arrays.stream(prefixes).anyMatch(n::startsWith);
            }).sorted().forEach(files::add);
        }
        for (Path f : files) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    values.computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>()).add(line.substring(eq + 1));
                }
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (v.stream().distinct().count() == 1) {
                out.put(k, v.get(0));
            } else if (v.stream().allMatch(x -> number(x) != null)) {
                double[] d = v.stream().mapToDouble(x -> number(x)).toArray();
                out.put(k, Stats.fmt(Stats.median(d)));
                out.put(k + ".all", Stats.list(d));
            } else {
                out.put(k, String.join(" | ", v));
            }
        });
        return out;
    }

    private static Double number(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String show(Double v) {
        if (v == null) {
            return "n/a";
        }
        return v >= 1000 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
