package dev.skyward.bench;

/**
 * Workload sizes, from system properties ({@code -Dbench.rt.iters=...}); {@code -Dbench.quick=true}
 * shrinks everything for a smoke run while developing. Both sides read the same values.
 */
record Params(int nodes, int concurrency, int rtWarmup, int rtIters, int tpWarmup, int tpTasks, int tpRuns,
        int tpWindow, int tpMaxSeconds, int[] payloadMiB, int payloadWarmup, int payloadReps, long timeoutSeconds) {

    /**
     * Copies the {@code key=value} pairs of the environment variable {@code BENCH_PROPS}
     * (whitespace-separated) into the system properties, unless already set. This is how run.sh sizes
     * the workloads of a client JVM started with no flags at all (the "plain JVM" rows), where a
     * {@code -D} would be a flag. Call it first in {@code main}, before any logger exists.
     */
    static void applyEnvironment() {
        String env = System.getenv("BENCH_PROPS");
        if (env == null || env.isBlank()) {
            return;
        }
        for (String kv : env.trim().split("\\s+")) {
            int eq = kv.indexOf('=');
            String key = eq > 0 ? kv.substring(0, eq) : kv;
            String value = eq > 0 ? kv.substring(eq + 1) : "true";
            key = key.startsWith("-D") ? key.substring(2) : key;
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        }
    }

    static Params fromSystemProperties() {
        boolean quick = Boolean.getBoolean("bench.quick");
        return new Params(
                Integer.getInteger("bench.nodes", 2),
                Integer.getInteger("bench.concurrency", 128),
                Integer.getInteger("bench.rt.warmup", quick ? 2_000 : 20_000),
                Integer.getInteger("bench.rt.iters", quick ? 5_000 : 50_000),
                Integer.getInteger("bench.tp.warmup", quick ? 5_000 : 40_000),
                Integer.getInteger("bench.tp.tasks", quick ? 20_000 : 200_000),
                Integer.getInteger("bench.tp.runs", quick ? 1 : 3),
                Integer.getInteger("bench.tp.window", 256),
                Integer.getInteger("bench.tp.maxSeconds", quick ? 10 : 20),
                java.util.Arrays.stream(System.getProperty("bench.payload.mib", quick ? "64,16" : "256,64").split(","))
                        .map(String::trim).mapToInt(Integer::parseInt).toArray(),
                Integer.getInteger("bench.payload.warmup", quick ? 2 : 5),
                Integer.getInteger("bench.payload.reps", quick ? 2 : 5),
                Long.getLong("bench.timeout.s", 900));
    }

    void record(Results r) {
        r.put("param.nodes", nodes);
        r.put("param.concurrency", concurrency);
        r.put("param.rt.warmup", rtWarmup);
        r.put("param.rt.iters", rtIters);
        r.put("param.tp.warmup", tpWarmup);
        r.put("param.tp.tasks", tpTasks);
        r.put("param.tp.runs", tpRuns);
        r.put("param.tp.window", tpWindow);
        r.put("param.tp.maxSeconds", tpMaxSeconds);
        r.put("param.payload.mib", java.util.Arrays.toString(payloadMiB).replaceAll("[\\[\\] ]", ""));
        r.put("param.payload.reps", payloadReps);
    }
}
