package dev.skyward.bench;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.cluster.Member;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The peer: Hazelcast's {@link IExecutorService}. {@code bench.nodes} members run as separate JVMs on
 * loopback with Skyward's agent JVM options and an executor of {@code bench.concurrency} threads;
 * this JVM is a {@link HazelcastClient} (all-members routing, the default) and runs the same
 * {@link Workloads} as {@link SkywardBench}. Tasks are {@link Serializable} {@link Callable}s that
 * capture their payload, as a Skyward lambda does; the member classpath holds their classes.
 *
 * <pre>
 * HazelcastBench OUT.properties         round trip, throughput, payloads ({@link Workloads})
 * HazelcastBench scale OUT.properties   the {@link Scaling} rows: the cluster grows 1 → 2 → 4 → 8 members;
 *                                       a broadcast is {@code submitToAllMembers}, a map one {@code submit} per element
 * </pre>
 */
public final class HazelcastBench {

    private static final Logger HZ_LOG = Logger.getLogger("com.hazelcast");
    /** Async no-ops through the Future API (a CompletionStage in Hazelcast 5) instead of ExecutionCallback. */
    private static final boolean FUTURE_API = Boolean.getBoolean("bench.hz.futureApi");

    private HazelcastBench() {
    }

    public static void main(String[] args) throws Exception {
        Params.applyEnvironment();
        if (args.length == 2 && args[0].equals("scale")) {
            scale(Params.fromSystemProperties(), new Results(Path.of(args[1])));
            System.exit(0);
        }
        if (args.length != 1) {
            System.err.println("usage: HazelcastBench OUT | HazelcastBench scale OUT");
            System.exit(2);
        }
        Params p = Params.fromSystemProperties();
        Results out = new Results(Path.of(args[0]));
        Watchdog.start(p.timeoutSeconds(), "Hazelcast benchmark");
        p.record(out);
        out.put("system", "hazelcast " + com.hazelcast.instance.BuildInfoProvider.getBuildInfo().getVersion());
        out.put("member.jvm_options", String.join(" ", PeerCluster.jvmOptions()));
        HZ_LOG.setLevel(Level.WARNING);
        Path logDir = Path.of(args[0]).toAbsolutePath().getParent();
        boolean gone;
        try (PeerCluster cluster = new PeerCluster(p.nodes(), p.concurrency(), logDir)) {
            try (HazelcastTarget target = new HazelcastTarget(cluster, p.nodes())) {
                new Workloads(target, p, out).runAll();
            } catch (RuntimeException e) {
                out.error("client", e);
            }
            cluster.close();
            gone = cluster.allGone();
        }
        out.put("members_gone", gone);
        System.exit(0);
    }

    /** The {@link Scaling} rows on one cluster that grows to each size in turn; a new client for each size. */
    static void scale(Params p, Results out) throws Exception {
        Watchdog.start(p.timeoutSeconds(), "Hazelcast scaling benchmark");
        out.put("system", "hazelcast " + com.hazelcast.instance.BuildInfoProvider.getBuildInfo().getVersion());
        HZ_LOG.setLevel(Level.WARNING);
        Path logDir = Path.of(out.file().toString() + ".logs").toAbsolutePath();
        boolean gone;
        try (PeerCluster cluster = new PeerCluster(0, p.concurrency(), logDir)) {
            new Scaling(p, out).runAll(members -> {
                cluster.grow(members);
                return new HazelcastTarget(cluster, members);
            });
            cluster.close();
            gone = cluster.allGone();
        }
        out.put("members_gone", gone);
    }

    static final class HazelcastTarget implements Scaled {

        private final HazelcastInstance client;
        private final IExecutorService executor;

        HazelcastTarget(PeerCluster cluster, int members) throws InterruptedException {
            ClientConfig cc = new ClientConfig();
            cc.setClusterName(cluster.clusterName());
            cc.setProperty("hazelcast.logging.type", "jdk");
            cc.setProperty("hazelcast.phone.home.enabled", "false");
            cc.getNetworkConfig().setAddresses(cluster.addresses());
            client = HazelcastClient.newHazelcastClient(cc);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (client.getCluster().getMembers().size() < members) {
                if (System.nanoTime() > deadline) {
                    client.shutdown();
                    throw new IllegalStateException("client sees " + client.getCluster().getMembers().size()
                            + " members, expected " + members);
                }
                Thread.sleep(50);
            }
            executor = client.getExecutorService(HazelcastMember.EXECUTOR);
        }

        @Override
        public void noop() throws Exception {
            executor.submit(NoOp.INSTANCE).get();
        }

        @Override
        public CompletableFuture<?> submitNoop() {
            if (FUTURE_API) {
                java.util.concurrent.Future<Object> hf = executor.submit(NoOp.INSTANCE);
                if (hf instanceof java.util.concurrent.CompletionStage<?> stage) {
                    return stage.toCompletableFuture();
                }
                throw new IllegalStateException("Hazelcast's future is no CompletionStage: " + hf.getClass());
            }
            CompletableFuture<Object> f = new CompletableFuture<>();
            executor.submit(NoOp.INSTANCE, new ExecutionCallback<Object>() {
                @Override
                public void onResponse(Object response) {
                    f.complete(response);
                }

                @Override
                public void onFailure(Throwable t) {
                    f.completeExceptionally(t);
                }
            });
            return f;
        }

        @Override
        public void broadcastNoop() throws Exception {
            Map<Member, Future<Object>> all = executor.submitToAllMembers(NoOp.INSTANCE);
            for (Future<Object> f : all.values()) {
                f.get();
            }
        }

        @Override
        public List<Integer> mapAddOne(List<Integer> items) throws Exception {
            List<Future<Integer>> futures = new ArrayList<>(items.size());
            for (Integer x : items) {
                futures.add(executor.submit(new AddOne(x)));
            }
            List<Integer> out = new ArrayList<>(items.size());
            for (Future<Integer> f : futures) {
                out.add(f.get());
            }
            return out;
        }

        @Override
        public int sendArgument(byte[] data) throws Exception {
            return executor.submit(new ArgumentLength(data)).get();
        }

        @Override
        public byte[] fetchResult(int size) throws Exception {
            return executor.submit(new NewArray(size)).get();
        }

        @Override
        public void close() {
            client.shutdown();
        }
    }

    /** {@code ctx -> null}. */
    static final class NoOp implements Callable<Object>, Serializable {
        static final NoOp INSTANCE = new NoOp();
        private static final long serialVersionUID = 1L;

        @Override
        public Object call() {
            return null;
        }
    }

    /** {@code (ctx, x) -> x + 1}, one element of a map. */
    static final class AddOne implements Callable<Integer>, Serializable {
        private static final long serialVersionUID = 1L;
        private final int x;

        AddOne(int x) {
            this.x = x;
        }

        @Override
        public Integer call() {
            return x + 1;
        }
    }

    /** {@code ctx -> data.length}, capturing {@code data}. */
    static final class ArgumentLength implements Callable<Integer>, Serializable {
        private static final long serialVersionUID = 1L;
        private final byte[] data;

        ArgumentLength(byte[] data) {
            this.data = data;
        }

        @Override
        public Integer call() {
            return data.length;
        }
    }

    /** {@code ctx -> new byte[size]}. */
    static final class NewArray implements Callable<byte[]>, Serializable {
        private static final long serialVersionUID = 1L;
        private final int size;

        NewArray(int size) {
            this.size = size;
        }

        @Override
        public byte[] call() {
            return new byte[size];
        }
    }
}
