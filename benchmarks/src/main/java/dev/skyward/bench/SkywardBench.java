package dev.skyward.bench;

import dev.skyward.ComputePool;
import dev.skyward.OutputListener;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * Skyward on the local provider (agent JVMs on loopback).
 *
 * <pre>
 * SkywardBench warm OUT.properties     round trip, throughput, payloads on one pool (bench.nodes nodes)
 * SkywardBench cold NODES OUT.properties   one cold start: build() -> first result, in this fresh JVM
 * SkywardBench heal ROUNDS OUT.properties  node loss -> replacement ready, ROUNDS kills of rank 1's agent
 * </pre>
 */
public final class SkywardBench {

    private SkywardBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("cold")) {
            cold(Integer.parseInt(args[1]), new Results(Path.of(args[2])));
        } else if (args.length == 3 && args[0].equals("heal")) {
            heal(Integer.parseInt(args[1]), new Results(Path.of(args[2])));
        } else if (args.length == 2 && args[0].equals("warm")) {
            warm(Params.fromSystemProperties(), new Results(Path.of(args[1])));
        } else {
            System.err.println("usage: SkywardBench warm OUT | SkywardBench cold NODES OUT");
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
        long jvmUptimeMs = ManagementFactory.getRuntimeMXBean().getUptime();
        long t0 = System.nanoTime();
        long firstResult;
        long built;
        try (ComputePool pool = ComputePool.builder().nodes(nodes).output(OutputListener.SILENT).console(false)
                .build()) {
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
        try (ComputePool pool = ComputePool.builder().nodes(p.nodes()).concurrency(p.concurrency())
                .output(OutputListener.SILENT).console(false).build();
                SkywardTarget target = new SkywardTarget(pool)) {
            new Workloads(target, p, out).runAll();
        } catch (RuntimeException e) {
            out.error("pool", e);
        }
    }

    /** The four operations as a user writes them: lambdas on {@code pool.run} / {@code pool.submit}. */
    static final class SkywardTarget implements Target {

        private final ComputePool pool;

        SkywardTarget(ComputePool pool) {
            this.pool = pool;
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
            // the pool is closed by its own try-with-resources
        }
    }
}
