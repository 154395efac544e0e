package dev.skyward.bench;

import dev.skyward.ComputePool;
import dev.skyward.OutputListener;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Skyward on the local provider (agent JVMs on loopback).
 *
 * <pre>
 * SkywardBench warm OUT.properties     round trip, throughput, payloads on one pool (bench.nodes nodes)
 * SkywardBench cold NODES OUT.properties   one cold start: build() -> first result, in this fresh JVM
 * SkywardBench heal ROUNDS OUT.properties  node loss -> replacement ready, ROUNDS kills of rank 1's agent
 * SkywardBench scale OUT.properties    broadcast to 1..8 nodes, map over up to 1M items, a 1 GiB result ({@link Scaling})
 * </pre>
 */
public final class SkywardBench {

    private SkywardBench() {
    }

    public static void main(String[] args) throws Exception {
        Params.applyEnvironment();
        if (args.length == 2 && args[0].equals("scale")) {
            scale(Params.fromSystemProperties(), new Results(Path.of(args[1])));
        } else if (args.length == 3 && args[0].equals("cold")) {
            cold(Integer.parseInt(args[1]), new Results(Path.of(args[2])));
        } else if (args.length == 3 && args[0].equals("heal")) {
            heal(Integer.parseInt(args[1]), new Results(Path.of(args[2])));
        } else if (args.length == 2 && args[0].equals("warm")) {
            warm(Params.fromSystemProperties(), new Results(Path.of(args[1])));
        } else {
            System.err.println("usage: SkywardBench warm OUT | SkywardBench cold NODES OUT | SkywardBench scale OUT");
            System.exit(2);
        }
        System.exit(0);
    }

    /**
     * One cold start in a fresh client JVM: from {@code build()} to the first result of
     * {@code run}, so it includes the client's first use of the engine (class loading, serializer
     * set-up), agent JVM start, handshake and the first task. Run several times, each in a new JVM.
     */
    static void cold(int nodes, Results out) {
        Watchdog.start(120, "cold start of " + nodes + " nodes");
        Load.record(out, "cold." + nodes);
        long jvmUptimeMs = ManagementFactory.getRuntimeMXBean().getUptime();
        long t0 = System.nanoTime();
        long firstResult;
        long built;
        ComputePool.Builder builder = ComputePool.builder().nodes(nodes).output(OutputListener.SILENT).console(false);
        // A diagnostic run's agent options (a profiler): see run.sh's BENCH_ASPROF.
        String agentOpts = System.getProperty("bench.agentJvmOptions", "").trim();
        if (!agentOpts.isEmpty()) {
            builder.agentJvmOptions(agentOpts.split("\\s+"));
        }
        try (ComputePool pool = builder.build()) {
            built = System.nanoTime();
            Integer rank = pool.run(ctx -> ctx.rank());
            firstResult = System.nanoTime();
            if (rank == null) {
                throw new IllegalStateException("no rank came back");
            }
            long closeStart = System.nanoTime();
            pool.close();
            out.put("cold." + nodes + ".close.ms", Stats.fmt((System.nanoTime() - closeStart) / 1e6));
        } catch (RuntimeException e) {
            out.error("cold." + nodes, e);
            return;
        }
        out.put("cold." + nodes + ".ms", Stats.fmt((firstResult - t0) / 1e6));
        out.put("cold." + nodes + ".build.ms", Stats.fmt((built - t0) / 1e6));
        out.put("cold." + nodes + ".jvm_uptime_at_start.ms", jvmUptimeMs);
    }

    /**
     * Node loss to replacement ready on the local provider: a 2-node pool, rank 1's agent killed
     * (SIGKILL) {@code rounds} times; each round measures from the kill to the {@code NodeReplaced}
     * event (the new agent connected and serving rank 1), and, from the event, the part after the loss
     * was noticed. A task pinned to rank 1 then checks the rank serves again.
     */
    static void heal(int rounds, Results out) {
        Watchdog.start(60L + 60L * rounds, "node replacement benchmark");
        Load.record(out, "heal");
        java.util.concurrent.LinkedBlockingQueue<dev.skyward.PoolEvent.NodeReplaced> replaced =
                new java.util.concurrent.LinkedBlockingQueue<>();
        try (ComputePool pool = ComputePool.builder().name("bench-heal").nodes(2).output(OutputListener.SILENT)
                .console(false).replacement(dev.skyward.Replacement.atMost(rounds))
                .listener(e -> {
                    if (e instanceof dev.skyward.PoolEvent.NodeReplaced r) {
                        replaced.add(r);
                    }
                }).build()) {
            for (int round = 0; round < rounds; round++) {
                ProcessHandle agent = ProcessHandle.allProcesses().filter(h -> h.info().commandLine()
                        .map(c -> c.contains("skyward-agent") && c.contains("--pool " + pool.id() + " ")
                                && c.matches(".*--rank 1( .*|$)")).orElse(false))
                        .findFirst().orElseThrow(() -> new IllegalStateException("no agent of rank 1"));
                long t0 = System.nanoTime();
                agent.destroyForcibly();
                dev.skyward.PoolEvent.NodeReplaced r = replaced.poll(60, java.util.concurrent.TimeUnit.SECONDS);
                long t1 = System.nanoTime();
                if (r == null) {
                    throw new IllegalStateException("rank 1 was not replaced within 60 s");
                }
                out.put("heal.replace.ms", Stats.fmt((t1 - t0) / 1e6));
                out.put("heal.after_noticed.ms", Stats.fmt(r.elapsed().toNanos() / 1e6));
                Integer rank = pool.node(1).run(ctx -> ctx.rank());
                if (rank == null || rank != 1) {
                    throw new IllegalStateException("rank 1 answered " + rank);
                }
            }
        } catch (RuntimeException | InterruptedException e) {
            out.error("heal", e);
        }
    }

    static void warm(Params p, Results out) {
        Watchdog.start(p.timeoutSeconds(), "Skyward benchmark");
        p.record(out);
        out.put("system", "skyward");
        ComputePool.Builder builder = ComputePool.builder().nodes(p.nodes()).concurrency(p.concurrency())
                .output(OutputListener.SILENT).console(false);
        String agentJfr = System.getProperty("bench.agentJfr");
        if (agentJfr != null) {
            // Agents drop JAVA_TOOL_OPTIONS; their own options are the way in. A directory as the
            // file name: each agent writes its own recording there, named by pid and time.
            try {
                java.nio.file.Files.createDirectories(Path.of(agentJfr));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            builder.agentJvmOptions("-XX:StartFlightRecording=filename=" + agentJfr + ",settings=profile,dumponexit=true");
            out.put("agent.jfr", agentJfr);
        }
        // Any other agent options for a diagnostic run (run.sh's BENCH_ASPROF=1 puts async-profiler here).
        String agentOpts = System.getProperty("bench.agentJvmOptions", "").trim();
        if (!agentOpts.isEmpty()) {
            builder.agentJvmOptions(agentOpts.split("\\s+"));
            out.put("agent.jvm_options", agentOpts);
        }
        try (ComputePool pool = builder.build();
                SkywardTarget target = new SkywardTarget(pool)) {
            new Workloads(target, p, out).runAll();
        } catch (RuntimeException e) {
            out.error("pool", e);
        }
    }

    /** The {@link Scaling} rows: a new pool for each size, closed before the next one starts. */
    static void scale(Params p, Results out) {
        Watchdog.start(p.timeoutSeconds(), "Skyward scaling benchmark");
        out.put("system", "skyward");
        new Scaling(p, out).runAll(nodes -> new SkywardTarget(ComputePool.builder().nodes(nodes)
                .concurrency(p.concurrency()).output(OutputListener.SILENT).console(false).build(), true));
    }

    /** The operations as a user writes them: lambdas on {@code pool.run} / {@code submit} / {@code broadcast} / {@code map}. */
    static final class SkywardTarget implements Scaled {

        private final ComputePool pool;
        private final boolean owned;

        SkywardTarget(ComputePool pool) {
            this(pool, false);
        }

        /** {@code owned}: {@link #close()} closes the pool. */
        SkywardTarget(ComputePool pool, boolean owned) {
            this.pool = pool;
            this.owned = owned;
        }

        @Override
        public void broadcastNoop() {
            List<Object> all = pool.broadcast(ctx -> null);
            if (all.size() != pool.size()) {
                throw new IllegalStateException(all.size() + " answers from " + pool.size() + " nodes");
            }
        }

        @Override
        public List<Integer> mapAddOne(List<Integer> items) {
            return pool.map(items, (ctx, x) -> x + 1);
        }

        @Override
        public void noop() {
            pool.run(ctx -> null);
        }

        @Override
        public CompletableFuture<?> submitNoop() {
            return pool.submit(ctx -> null);
        }

        @Override
        public int sendArgument(byte[] data) {
            return pool.run(ctx -> data.length);
        }

        @Override
        public byte[] fetchResult(int size) {
            return pool.run(ctx -> new byte[size]);
        }

        @Override
        public void close() {
            if (owned) {
                pool.close();
            }
            // otherwise the pool is closed by its own try-with-resources
        }
    }
}
