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
 * Prints the Markdown table from the result files of one run of one mode (quiet or busy) and writes
 * it to {@code table.md} in that directory. Several rounds are reduced to per-key medians.
 *
 * <p>Files: {@code cold.properties}, {@code ours.N} / {@code peer.N} (the harness's tuned client
 * JVM), {@code plain-ours.N} / {@code plain-peer.N} (a client JVM started with no flags),
 * {@code jshell.N} (JShell), {@code scale-ours.N} / {@code scale-peer.N} ({@link Scaling}).
 *
 * <p>Every row shows ours, the peer's value in the same run, the ratio ours / peer, the goal
 * and whether it is met ({@code pass} / {@code behind}), for scaling rows the growth factor against
 * the row before, and the 1-minute load average when the row started (ours / peer).
 *
 * <pre>Report RESULTS_DIR [TITLE]</pre>
 */
public final class Report {

    private Report() {
    }

    /** A goal on ours (and the peer's value in the same run, null when there is none). */
    private interface Check {
        boolean met(double ours, Double peer);
    }

    private record Goal(String text, boolean needsPeer, Check check) {

        static Goal atMostTimesPeer(double f) {
            return new Goal("≤ " + fmtFactor(f) + "peer", true, (o, q) -> o <= f * q);
        }

        static Goal atLeastTimesPeer(double f) {
            return new Goal("≥ " + fmtFactor(f) + "peer", true, (o, q) -> o >= f * q);
        }

        static Goal atMost(double v, String unit) {
            return new Goal("≤ " + String.format(Locale.ROOT, "%,.0f", v) + " " + unit, false, (o, q) -> o <= v);
        }

        static final Goal NONE = new Goal("— (info)", false, null);

        private static String fmtFactor(double f) {
            return f == 1 ? "" : String.format(Locale.ROOT, "%.1f× ", f);
        }
    }

    /** One side of a row: its results map, the key, and the phase whose load it shows. */
    private record Side(Map<String, String> values, String key, String phase) {
    }

    private record Row(String name, Side ours, Side peer, String noPeer, Goal goal, String growth) {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        String title = args.length > 1 ? args[1] : null;
        Map<String, String> ours = merged(dir, "ours", "cold", "heal", "scale-ours", "jshell");
        Map<String, String> peer = merged(dir, "peer", "scale-peer");
        Map<String, String> plainOurs = merged(dir, "plain-ours");
        Map<String, String> plainPeer = merged(dir, "plain-peer");
        Map<String, String> params = ours.containsKey("param.nodes") ? ours : peer;

        List<Row> tuned = new ArrayList<>();
        String noCold = "not measured (the peer's members start before its clock)";
        tuned.add(new Row("Cold start, 1 node: build → first result (ms)", new Side(ours, "cold.1.ms", "cold.1"),
                null, noCold, Goal.atMost(800, "ms"), ""));
        tuned.add(new Row("Cold start, 4 nodes: build → first result (ms)", new Side(ours, "cold.4.ms", "cold.4"),
                null, noCold, Goal.atMost(1500, "ms"), ""));
        tuned.add(new Row("Node loss → replacement ready, local provider (ms)", new Side(ours, "heal.replace.ms", "heal"),
                null, "no equivalent (a Hazelcast member is not replaced)", Goal.NONE, ""));
        addLatencyAndThroughput(tuned, "", ours, peer);
        // Payload rows, smallest first so the growth column reads down the sizes; the big result
        // from the scaling JVM continues the result series.
        List<Integer> sizes = new ArrayList<>();
        for (String m : params.getOrDefault("param.payload.mib", "").split(",")) {
            if (!m.isBlank()) {
                sizes.add(Integer.parseInt(m.trim()));
            }
        }
        sizes.sort(null);
        String big = ours.getOrDefault("param.big.mib", peer.get("param.big.mib"));
        for (String dirn : List.of("arg", "res")) {
            String label = dirn.equals("arg") ? "argument" : "result";
            List<Integer> series = new ArrayList<>(sizes);
            if (dirn.equals("res") && big != null && !series.contains(Integer.parseInt(big))) {
                series.add(Integer.parseInt(big));
            }
            Integer prev = null;
            for (int mib : series) {
                String key = dirn + "." + mib + ".MBps";
                String growth = prev == null ? "" : "size ×" + (mib / prev) + ": "
                        + rateGrowth(ours, peer, dirn + "." + prev + ".MBps", key);
                tuned.add(new Row((mib >= 1024 && mib % 1024 == 0 ? (mib / 1024) + " GiB " : mib + " MiB ") + label
                        + " (MB/s)", new Side(ours, key, dirn + "." + mib), new Side(peer, key, dirn + "." + mib), null,
                        Goal.atLeastTimesPeer(1.2), growth));
                prev = mib;
            }
        }
        if (big != null) {
            int mib = Integer.parseInt(big);
            tuned.add(new Row("… its client peak heap above the heap before the call, garbage included (MiB)",
                    new Side(ours, "res." + mib + ".heap.MiB", "res." + mib), new Side(peer, "res." + mib + ".heap.MiB",
                    "res." + mib), null, Goal.atMost(1.5 * mib, "MiB (1.5× payload)"), ""));
            tuned.add(new Row("… of which still referenced after a GC at the end, result included (MiB)",
                    new Side(ours, "res." + mib + ".heap_live.MiB", "res." + mib), new Side(peer, "res." + mib
                    + ".heap_live.MiB", "res." + mib), null, Goal.NONE, ""));
        }

        List<Row> plain = new ArrayList<>();
        addLatencyAndThroughput(plain, "plain JVM, ", plainOurs, plainPeer);
        String noJshell = "no equivalent (a Hazelcast member needs the task's class on its classpath; a JShell class is not)";
        plain.add(new Row("JShell `pool.map` over 1,000 tiny items, first call (ms)",
                new Side(ours, "jshell.map1.ms", "jshell"), null, noJshell, Goal.atMost(100, "ms"), ""));
        plain.add(new Row("JShell `pool.map` over 1,000 tiny items, second call (ms)",
                new Side(ours, "jshell.map2.ms", "jshell"), null, noJshell, Goal.atMost(100, "ms"), ""));

        List<Row> scaling = new ArrayList<>();
        String prevItems = null;
        for (String n : list(params(ours, peer, "param.map.items"))) {
            String key = "map." + n + ".items_per_s";
            String growth = prevItems == null ? "" : "items ×" + (Long.parseLong(n) / Long.parseLong(prevItems)) + ": "
                    + rateGrowth(ours, peer, "map." + prevItems + ".items_per_s", key);
            scaling.add(new Row("`map` over " + String.format(Locale.ROOT, "%,d", Long.parseLong(n))
                    + " tiny items (items/s)", new Side(ours, key, "map." + n), new Side(peer, key, "map." + n), null,
                    Goal.atLeastTimesPeer(1), growth));
            scaling.add(new Row("… its client peak heap (MiB, garbage included)", new Side(ours, "map." + n + ".heap.MiB",
                    "map." + n), new Side(peer, "map." + n + ".heap.MiB", "map." + n), null, Goal.NONE, ""));
            prevItems = n;
        }
        String prevNodes = null;
        for (String n : list(params(ours, peer, "param.bcast.nodes"))) {
            String key = "bcast." + n + ".p50.us";
            String growth = prevNodes == null ? "" : "nodes ×" + (Integer.parseInt(n) / Integer.parseInt(prevNodes)) + ": "
                    + latencyGrowth(ours, peer, "bcast." + prevNodes + ".p50.us", key,
                    Double.parseDouble(n) / Double.parseDouble(prevNodes));
            scaling.add(new Row("Broadcast no-op to " + n + " local node" + (n.equals("1") ? "" : "s") + ", p50 (µs)",
                    new Side(ours, key, "bcast." + n), new Side(peer, key, "bcast." + n), null, Goal.atMostTimesPeer(1),
                    growth));
            prevNodes = n;
        }

        StringBuilder md = new StringBuilder();
        if (title != null) {
            md.append("### ").append(title).append("\n\n");
        }
        table(md, "Harness client JVM (tuned flags, see Settings)", tuned);
        table(md, "What users see: client JVMs started with no flags (`java -cp app.jar Main`), and JShell", plain);
        table(md, "Cost as work grows (2 nodes for `map` and the big result)", scaling);
        anatomy(md, "tuned client", ours, peer);
        anatomy(md, "plain JVM", plainOurs, plainPeer);
        md.append("Units: MB = 10^6 bytes (256 MiB = 268.4 MB). Ratio = ours / peer: below 1 is better for ms/µs rows, "
                + "above 1 for rate rows. Growth: how much more each unit of work costs than in the row before "
                + "(×1.00 = linear; below 1 better than linear; above 1.10 flagged). Load: 1-minute load average when "
                + "the row started, ours / peer (median over rounds).\n");
        md.append("Settings: ").append(nodesAndConcurrency(params))
                .append(ours.containsKey("param.map.items") || peer.containsKey("param.map.items") ? " " + scaleSettings(ours, peer) : "")
                .append('\n');
        appendDetails(md, "ours", ours);
        appendDetails(md, "peer", peer);
        appendDetails(md, "ours, plain JVM", plainOurs);
        appendDetails(md, "peer, plain JVM", plainPeer);
        appendErrors(md, ours, peer, plainOurs, plainPeer);

        String text = md.toString();
        System.out.print(text);
        Files.writeString(dir.resolve("table.md"), text, StandardCharsets.UTF_8);
    }

    private static void addLatencyAndThroughput(List<Row> rows, String prefix, Map<String, String> ours,
            Map<String, String> peer) {
        String p = prefix.isEmpty() ? "" : " (" + prefix.substring(0, prefix.length() - 2) + ")";
        rows.add(new Row("No-op round trip p50 (µs)" + p, new Side(ours, "rt.p50.us", "rt"), new Side(peer, "rt.p50.us", "rt"),
                null, Goal.atMostTimesPeer(0.8), ""));
        rows.add(new Row("No-op round trip p99 (µs)" + p, new Side(ours, "rt.p99.us", "rt"), new Side(peer, "rt.p99.us", "rt"),
                null, Goal.atMostTimesPeer(1), ""));
        rows.add(new Row("No-op throughput, 2 nodes (tasks/s)" + p, new Side(ours, "tp.tasks_per_s", "tp"),
                new Side(peer, "tp.tasks_per_s", "tp"), null, Goal.atLeastTimesPeer(2), ""));
    }

    private static void table(StringBuilder md, String heading, List<Row> rows) {
        List<Row> shown = rows.stream().filter(Report::attempted).toList();
        if (shown.isEmpty()) {
            return;
        }
        md.append("**").append(heading).append("**\n\n");
        md.append("| row | ours | peer (Hazelcast) | ours/peer | goal | status | growth | load ours / peer |\n");
        md.append("|---|---:|---:|---:|---|---|---|---|\n");
        for (Row r : shown) {
            Double o = number(r.ours().values().get(r.ours().key()));
            Double q = r.peer() == null ? null : number(r.peer().values().get(r.peer().key()));
            String ratio = o != null && q != null && q != 0 ? String.format(Locale.ROOT, "%.2f", o / q) : "—";
            String status;
            String skipped = skipped(r.ours());
            if (o == null && skipped != null) {
                status = "skipped (" + skipped + ")";
            } else if (o == null) {
                String stem = r.ours().key().replaceAll("\\.[^.]+$", "");
                boolean failed = r.ours().values().keySet().stream().anyMatch(k -> k.startsWith("error."))
                        && r.ours().values().keySet().stream().anyMatch(k -> k.startsWith("error." + stem)
                        || k.startsWith("error." + r.ours().phase()));
                status = failed ? "failed, see errors" : "not measured";
            } else if (r.goal().check() == null) {
                status = "—";
            } else if (r.goal().needsPeer() && q == null) {
                status = "n/a (peer not measured)";
            } else {
                status = r.goal().check().met(o, q) ? "pass" : "**behind**";
            }
            String peerCell = r.peer() == null ? r.noPeer()
                    : q == null && skipped(r.peer()) != null ? "skipped (" + skipped(r.peer()) + ")" : show(q);
            String load = load(r.ours()) + " / " + (r.peer() == null ? "—" : load(r.peer()));
            md.append("| ").append(r.name()).append(" | ").append(show(o)).append(" | ").append(peerCell).append(" | ")
                    .append(ratio).append(" | ").append(r.goal().text()).append(" | ").append(status).append(" | ")
                    .append(r.growth()).append(" | ").append(load).append(" |\n");
        }
        md.append('\n');
    }

    /** What one no-op round trip costs besides time, from /proc around the measured loop ({@link ProcStats}). */
    private static void anatomy(StringBuilder md, String label, Map<String, String> ours, Map<String, String> peer) {
        if (!ours.containsKey("rt.client.ctxsw") && !peer.containsKey("rt.client.ctxsw")) {
            return;
        }
        md.append("**One no-op round trip, per call (").append(label).append("; nodes = agents / members)**\n\n");
        md.append("| per call | ours | peer |\n|---|---:|---:|\n");
        String[][] rows = {
            {"context switches, client: voluntary (a thread parked: a hand-off)", "rt.client.ctxsw"},
            {"context switches, client: forced (pre-empted)", "rt.client.ctxsw_forced"},
            {"context switches, nodes: voluntary", "rt.nodes.ctxsw"},
            {"context switches, nodes: forced", "rt.nodes.ctxsw_forced"},
            {"CPU, client (µs)", "rt.client.cpu_us"},
            {"CPU, nodes (µs)", "rt.nodes.cpu_us"},
            {"bytes allocated, client", "rt.client.alloc_bytes"},
        };
        for (String[] r : rows) {
            md.append("| ").append(r[0]).append(" | ").append(ours.getOrDefault(r[1], "n/a")).append(" | ")
                    .append(peer.getOrDefault(r[1], "n/a")).append(" |\n");
        }
        md.append('\n');
        md.append("Voluntary switches by thread, ours: ").append(ours.getOrDefault("rt.ctxsw_by_thread", "n/a")).append('\n');
        md.append("\nVoluntary switches by thread, peer: ").append(peer.getOrDefault("rt.ctxsw_by_thread", "n/a"))
                .append("\n\n");
    }

    /** A row whose phase ran on either side (its load was sampled), or whose value exists: the others are left out. */
    private static boolean attempted(Row r) {
        return r.ours().values().containsKey("load." + r.ours().phase()) || r.ours().values().containsKey(r.ours().key())
                || skipped(r.ours()) != null || (r.peer() != null && skipped(r.peer()) != null)
                || (r.peer() != null && (r.peer().values().containsKey("load." + r.peer().phase())
                || r.peer().values().containsKey(r.peer().key())));
    }

    private static String skipped(Side s) {
        return s.values().get(s.key().replaceAll("\\.[^.]+$", "") + ".skipped");
    }

    private static String load(Side s) {
        String v = s.values().get("load." + s.phase());
        return v == null ? "?" : v;
    }

    /** For rate rows: per-unit cost now / per-unit cost before = rate before / rate now. */
    private static String rateGrowth(Map<String, String> ours, Map<String, String> peer, String prevKey, String key) {
        return "ours " + factor(number(ours.get(prevKey)), number(ours.get(key))) + ", peer "
                + factor(number(peer.get(prevKey)), number(peer.get(key)));
    }

    /** For latency rows over a scale factor: (latency now / latency before) / scale. */
    private static String latencyGrowth(Map<String, String> ours, Map<String, String> peer, String prevKey, String key,
            double scale) {
        Double o0 = number(ours.get(prevKey));
        Double o1 = number(ours.get(key));
        Double p0 = number(peer.get(prevKey));
        Double p1 = number(peer.get(key));
        return "ours " + factor(o1 == null ? null : o1 / scale, o0) + ", peer "
                + factor(p1 == null ? null : p1 / scale, p0);
    }

    /** a / b, bold above 1.10 (worse than linear). */
    private static String factor(Double a, Double b) {
        if (a == null || b == null || a == 0 || b == 0) {
            return "?";
        }
        double f = a / b;
        String v = String.format(Locale.ROOT, "×%.2f", f);
        return f <= 1.10 ? v : "**" + v + "**";
    }

    private static String params(Map<String, String> a, Map<String, String> b, String key) {
        return a.getOrDefault(key, b.getOrDefault(key, ""));
    }

    private static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    @SafeVarargs
    private static void appendErrors(StringBuilder md, Map<String, String>... maps) {
        StringBuilder sb = new StringBuilder();
        for (Map<String, String> m : maps) {
            m.forEach((k, v) -> {
                if (k.startsWith("error.")) {
                    sb.append("- `").append(k).append("`: ").append(v).append('\n');
                }
            });
        }
        if (sb.length() > 0) {
            md.append("\nErrors:\n\n").append(sb);
        }
    }

    private static String nodesAndConcurrency(Map<String, String> r) {
        return "nodes/members=" + r.getOrDefault("param.nodes", "?") + ", per-node concurrency (Skyward .concurrency, Hazelcast executor pool-size)="
                + r.getOrDefault("param.concurrency", "?") + ", in-flight window=" + r.getOrDefault("param.tp.window", "?")
                + ", throughput tasks/run=" + r.getOrDefault("param.tp.tasks", "?") + " x " + r.getOrDefault("param.tp.runs", "?")
                + " runs (median), round trips measured=" + r.getOrDefault("param.rt.iters", "?")
                + " after " + r.getOrDefault("param.rt.warmup", "?") + " warm-up, payload reps=" + r.getOrDefault("param.payload.reps", "?")
                + " (median) of " + r.getOrDefault("param.payload.mib", "?") + " MiB.";
    }

    private static String scaleSettings(Map<String, String> ours, Map<String, String> peer) {
        return "Scaling: broadcast " + params(ours, peer, "param.bcast.iters") + " calls per size after a warm-up; map "
                + params(ours, peer, "param.map.items") + " items once per round on 2 nodes; big result "
                + params(ours, peer, "param.big.mib") + " MiB x " + params(ours, peer, "param.big.reps")
                + " (median) after 1 warm-up. JShell: 2 nodes, `pool.map(items, (ctx, x) -> x + 1)` typed as a snippet,"
                + " timed inside the snippet; the pool is built in the snippet before (not timed).";
    }

    private static void appendDetails(StringBuilder md, String label, Map<String, String> r) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : r.entrySet()) {
            String k = e.getKey();
            if (!k.startsWith("param.") && !k.startsWith("load.") && !k.startsWith("rt.client.") && !k.startsWith("rt.nodes.")
                    && !k.startsWith("rt.ctxsw") && (k.startsWith("rt.") || k.endsWith(".runs")
                    || k.endsWith(".all") || k.startsWith("cold.") || k.startsWith("jshell.") || k.endsWith("heap_live.MiB")
                    || k.endsWith(".p99.us") || k.endsWith(".s") || k.endsWith("x_payload") || k.equals("system") || k.equals("members_gone"))) {
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
