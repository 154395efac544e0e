package dev.skyward.bench;

import com.hazelcast.config.Config;
import com.hazelcast.config.ExecutorConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.util.Arrays;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One Hazelcast member, run as a child JVM by {@link PeerCluster}: binds 127.0.0.1 only, joins its
 * siblings by TCP/IP (no multicast), offers the executor {@value #EXECUTOR}, prints {@code READY}
 * and then lives until its standard input closes — which happens when the parent closes it or dies,
 * so a member never outlives the benchmark.
 *
 * <p>Arguments: {@code CLUSTER PORT MEMBER_PORTS(comma-separated) EXECUTOR_POOL_SIZE [COMMON_POOL_PARALLELISM]}.
 */
public final class HazelcastMember {

    static final String EXECUTOR = "bench";

    // Keeps the configured level: java.util.logging holds loggers weakly.
    private static final Logger HZ_LOG = Logger.getLogger("com.hazelcast");

    private HazelcastMember() {
    }

    public static void main(String[] args) throws Exception {
        String cluster = args[0];
        int port = Integer.parseInt(args[1]);
        String[] peers = args[2].split(",");
        int poolSize = Integer.parseInt(args[3]);
        if (args.length > 4 && !args[4].isEmpty()) {
            // Same setting as the client JVM (see run.sh): must precede any use of the common pool.
            System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism", args[4]);
        }

        HZ_LOG.setLevel(Level.WARNING);
        Config cfg = new Config();
        cfg.setClusterName(cluster);
        cfg.setProperty("hazelcast.logging.type", "jdk");
        cfg.setProperty("hazelcast.phone.home.enabled", "false");
        cfg.setProperty("hazelcast.socket.bind.any", "false");
        cfg.setProperty("hazelcast.wait.seconds.before.join", "0");
        cfg.setProperty("hazelcast.shutdownhook.policy", "TERMINATE");
        NetworkConfig net = cfg.getNetworkConfig();
        net.setPort(port).setPortAutoIncrement(false);
        net.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true)
                .setMembers(Arrays.stream(peers).map(p -> "127.0.0.1:" + p).toList());
        // Same per-node concurrency as the Skyward pool; unbounded queue like an agent's.
        cfg.addExecutorConfig(new ExecutorConfig(EXECUTOR).setPoolSize(poolSize).setQueueCapacity(0)
                .setStatisticsEnabled(false));

        HazelcastInstance hz = Hazelcast.newHazelcastInstance(cfg);
        System.out.println("READY " + port + " members=" + hz.getCluster().getMembers().size());
        System.out.flush();
        while (System.in.read() != -1) {
            // wait for the parent to close our stdin (or to die)
        }
        hz.getLifecycleService().terminate();
        System.exit(0);
    }
}
