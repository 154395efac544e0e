package dev.skyward.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a test that provisions asserts at its end: no agent process, no process an agent started, no
 * node directory and no listening agent port remain.
 */
public final class Leaks {

    private Leaks() {
    }

    /** Agent processes of a pool still running on this machine (any parent: agents outlive a killed client). */
    public static List<ProcessHandle> agentProcesses(String poolId) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine()
                        .map(c -> c.contains("skyward-agent") && c.contains("--pool " + poolId + " ")).orElse(false))
                .toList();
    }

    /**
     * Asserts the pool left nothing behind. Waits briefly, since processes take a moment to be reaped.
     *
     * @param pool a closed pool
     * @param ports the ports its agents listened on
     */
    public static void assertNothingLeft(ComputePool pool, List<Integer> ports) {
        assertThat(pool.state()).isEqualTo(dev.skyward.PoolState.CLOSED);
        assertNothingLeft(pool.id(), ports);
    }

    /**
     * Asserts a closed pool left nothing behind.
     *
     * @param poolId the pool's id
     * @param ports the ports its agents listened on
     */
    public static void assertNothingLeft(String poolId, List<Integer> ports) {
        awaitNoAgents(poolId, Duration.ofSeconds(10));
        assertThat(agentProcesses(poolId)).as("agent processes still running").isEmpty();
        assertThat(localNodeDirectories(poolId)).as("node directories of " + poolId + " still exist").isEmpty();
        for (int port : ports) {
            assertThat(listening(port)).as("agent port " + port + " still listening").isFalse();
        }
    }

    /** Waits until no agent process of the pool remains, or the timeout passes. */
    public static void awaitNoAgents(String poolId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!agentProcesses(poolId).isEmpty() && System.nanoTime() < deadline) {
            sleep(50);
        }
    }

    /** The ports the pool's local agents listen on, read from their node directories. */
    public static List<Integer> agentPorts(ComputePool pool) {
        return agentPorts(pool.id());
    }

    /**
     * Where the local provider keeps its node directories by default ({@code dev.skyward.local.Local}'s
     * root; read here rather than from core, which depends on this kit for its tests).
     */
    public static Path localRoot() {
        String fromEnv = System.getenv("SKYWARD_LOCAL_ROOT");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "skyward-local-" + System.getProperty("user.name"));
    }

    /** The local provider's node directories of a pool that still exist. */
    public static List<Path> localNodeDirectories(String poolId) {
        if (!Files.isDirectory(localRoot())) {
            return List.of();
        }
        try (var nodes = Files.list(localRoot())) {
            return nodes.filter(n -> n.getFileName().toString().startsWith(poolId + "-node-")).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The ports a pool's local agents listen on. */
    public static List<Integer> agentPorts(String poolId) {
        if (!Files.isDirectory(localRoot())) {
            return List.of();
        }
        try (var nodes = Files.list(localRoot())) {
            return nodes.filter(n -> n.getFileName().toString().startsWith(poolId + "-node-"))
                    .sorted().map(n -> n.resolve("agent.port")).filter(Files::exists).map(f -> {
                try {
                    return Integer.parseInt(Files.readString(f).trim());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Whether something accepts connections on 127.0.0.1:port. */
    public static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
