package dev.skyward.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the Markdown table from the result files of one run ({@code cold.properties},
 * {@code ours.properties}, {@code peer.properties}) and writes it to {@code table.md}.
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
        Map<String, String> cold = Results.read(dir.resolve("cold.properties"));
        Map<String, String> ours = Results.read(dir.resolve("ours.properties"));
        Map<String, String> peer = Results.read(dir.resolve("peer.properties"));
        ours.putAll(cold);
        ours.putAll(coldMedians(dir.resolve("cold.properties")));

        List<Row> rows = List.of(
                new Row("Cold start, 1 node: build → first result (ms, median)", "cold.1.median.ms", null,
                        Better.LOWER, null, "—"),
                new Row("Cold start, 4 nodes: build → first result (ms, median)", "cold.4.median.ms", null,
                        Better.LOWER, 1500.0, "≤ 1500"),
                new Row("No-op round trip p50 (µs)", "rt.p50.us", "rt.p50.us", Better.LOWER, 150.0, "≤ 150"),
                new Row("No-op round trip p99 (µs)", "rt.p99.us", "rt.p99.us", Better.LOWER, null, "—"),
                new Row("No-op throughput, 2 nodes (tasks/s)", "tp.tasks_per_s", "tp.tasks_per_s", Better.HIGHER,
                        30_000.0, "≥ 30,000"),
                new Row("256 MiB argument (MB/s)", "arg.MBps", "arg.MBps", Better.HIGHER, 1000.0, "≥ 1000"),
                new Row("256 MiB result (MB/s)", "res.MBps", "res.MBps", Better.HIGHER, 1000.0, "≥ 1000"));

        StringBuilder md = new StringBuilder();
        md.append("| row | ours | peer (Hazelcast) | ratio ours/peer | target | met? |\n");
        md.append("|---|---:|---:|---:|---|---|\n");
        for (Row r : rows) {
            Double o = number(ours.get(r.oursKey()));
            Double q = r.peerKey() == null ? null : number(peer.get(r.peerKey()));
            String ratio = o != null && q != null && q != 0 ? String.format(Locale.ROOT, "%.2f", o / q) : "—";
            List<String> missed = new ArrayList<>();
            if (o == null) {
                missed.add("not measured");
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
        md.append("Settings: ").append(nodesAndConcurrency(ours)).append('\n');
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
                + " (median).";
    }

    private static void appendDetails(StringBuilder md, String label, Map<String, String> r) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : r.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("rt.") || k.endsWith(".runs") || k.startsWith("error.") || k.startsWith("cold.")
                    && (k.endsWith(".all.ms") || k.endsWith("build.median.ms") || k.endsWith("close.median.ms"))
                    || k.equals("system") || k.equals("members_gone")) {
                sb.append(sb.length() == 0 ? "" : ", ").append(k).append('=').append(e.getValue());
            }
        }
        if (sb.length() > 0) {
            md.append("Details ").append(label).append(": ").append(sb).append('\n');
        }
    }

    /** Several cold-start JVMs append the same keys; the median and the list come from the raw lines. */
    private static Map<String, String> coldMedians(Path file) throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        Map<String, List<Double>> values = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq < 0 || line.startsWith("error.")) {
                continue;
            }
            Double v = number(line.substring(eq + 1));
            if (v != null) {
                values.computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>()).add(v);
            }
        }
        values.forEach((k, v) -> {
            if (k.endsWith(".ms") && !k.contains("uptime")) {
                String base = k.substring(0, k.length() - 3);
                out.put(base + ".median.ms", Stats.fmt(Stats.median(v)));
                out.put(base + ".all.ms", Stats.list(v.stream().mapToDouble(Double::doubleValue).toArray()));
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
