package dev.skyward.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a user sees in JShell: drives the JDK's real {@code jshell} tool as a child process, with this
 * JVM's class path and no other option (its execution JVM gets no flags), through a script that builds
 * a 2-node pool and then calls {@code pool.map(items, (ctx, x) -> x + 1)} over 1,000 integers twice.
 * Each call is timed inside its snippet, from the snippet's start to its result: the first call
 * includes everything the first use costs (shipping the JShell-defined lambda's class, serializer
 * set-up), the second is the steady state. Records {@code jshell.map1.ms}, {@code jshell.map2.ms},
 * {@code jshell.build.ms} (the builder, not part of the row) and {@code jshell.total.ms} (the jshell
 * process from start to exit).
 *
 * <pre>JShellMap OUT.properties</pre>
 */
public final class JShellMap {

    private static final String MARK = "SKYBENCH ";

    private JShellMap() {
    }

    public static void main(String[] args) throws Exception {
        Params.applyEnvironment();
        Results out = new Results(Path.of(args[0]));
        int items = Integer.getInteger("bench.jshell.items", 1_000);
        int nodes = Integer.getInteger("bench.jshell.nodes", 2);
        int calls = Math.max(2, Integer.getInteger("bench.jshell.calls", 2));
        Load.record(out, "jshell");
        try {
            run(out, items, nodes, calls);
        } catch (Exception e) {
            out.error("jshell", e);
        }
        System.exit(0);
    }

    private static void run(Results out, int items, int nodes, int calls) throws IOException, InterruptedException {
        Path script = Files.createTempFile("skyward-bench-", ".jsh");
        try {
            Files.writeString(script, script(items, nodes, calls), StandardCharsets.UTF_8);
            Path jshell = Path.of(System.getProperty("java.home"), "bin", "jshell");
            if (!Files.isExecutable(jshell)) {
                throw new IllegalStateException(jshell + " not found: the JShell row needs a JDK (not a JRE) as JAVA_HOME");
            }
            List<String> cmd = new ArrayList<>(List.of(jshell.toString(), "-s", "--class-path",
                    System.getProperty("java.class.path")));
            // For profiling only (PROFILING.md): options for JShell's execution JVM, where the pool runs.
            for (String o : words(System.getenv("BENCH_JSHELL_REMOTE_OPTS"))) {
                cmd.add("-R" + o);
            }
            cmd.add(script.toString());
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            List<String> transcript = new ArrayList<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (transcript) {
                            transcript.add(line);
                        }
                        if (line.startsWith(MARK)) {
                            String kv = line.substring(MARK.length()).trim();
                            int eq = kv.indexOf('=');
                            out.put("jshell." + kv.substring(0, eq), kv.substring(eq + 1));
                        }
                    }
                } catch (IOException e) {
                    // the process is gone
                }
            }, "jshell-output");
            reader.start();
            if (!p.waitFor(Long.getLong("bench.jshell.timeout.s", 300), TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalStateException("jshell did not finish; its output: " + String.join(" / ", transcript));
            }
            reader.join(5_000);
            out.put("jshell.total.ms", Stats.fmt((System.nanoTime() - t0) / 1e6));
            synchronized (transcript) {
                if (transcript.stream().noneMatch(l -> l.startsWith(MARK + "results.right=true"))) {
                    throw new IllegalStateException("jshell exited with " + p.exitValue() + " before the last map came back right; its output: "
                            + String.join(" / ", transcript));
                }
            }
        } finally {
            Files.deleteIfExists(script);
        }
    }

    private static boolean profiling() {
        return !words(System.getenv("BENCH_JSHELL_REMOTE_OPTS")).isEmpty()
                || !words(System.getenv("BENCH_JSHELL_AGENT_OPTS")).isEmpty();
    }

    private static List<String> words(String s) {
        return s == null || s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
    }

    /** For profiling only: JVM options for the agents, as a Java string-array literal's contents. */
    private static String agentOptions() {
        List<String> quoted = new ArrayList<>();
        for (String o : words(System.getenv("BENCH_JSHELL_AGENT_OPTS"))) {
            quoted.add("\"" + o.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        }
        return quoted.isEmpty() ? "" : ".agentJvmOptions(" + String.join(", ", quoted) + ")";
    }

    /**
     * The snippets a user would type; {@code timed} is the only helper, so each call is one snippet.
     * {@code calls} maps (at least 2): {@code map1} is the first, the others show whether later calls settle.
     */
    static String script(int items, int nodes, int calls) {
        List<String> lines = new ArrayList<>(List.of(
                "import dev.skyward.*;",
                "<T> T timed(String label, java.util.function.Supplier<T> call) { long w0 = System.currentTimeMillis();"
                        + " long t0 = System.nanoTime(); T r = call.get();"
                        + " System.out.println(\"" + MARK + "\" + label + \".ms=\" + String.format(java.util.Locale.ROOT, \"%.1f\","
                        + " (System.nanoTime() - t0) / 1e6));"
                        // With a profiler attached: each call's wall-clock span, to cut its samples out of a JFR file.
                        + (profiling() ? " System.out.println(\"" + MARK + "\" + label + \".span=\" + w0 + \"-\""
                                + " + System.currentTimeMillis());" : "")
                        + " return r; }",
                "var items = java.util.stream.IntStream.range(0, " + items + ").boxed().toList();",
                "var pool = timed(\"build\", () -> ComputePool.builder().nodes(" + nodes
                        + ").output(OutputListener.SILENT).console(false)" + agentOptions() + ".build());"));
        for (int i = 1; i <= calls; i++) {
            lines.add("var r" + i + " = timed(\"map" + i + "\", () -> pool.map(items, (ctx, x) -> x + 1));");
        }
        lines.add("System.out.println(\"" + MARK + "results.right=\" + (r1.size() == " + items + " && r" + calls + ".get("
                + (items - 1) + ") == " + items + "));");
        lines.add("pool.close();");
        lines.add("/exit");
        lines.add("");
        return String.join("\n", lines);
    }
}
