package dev.skyward.bench;

import dev.skyward.node.AgentCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Hazelcast member JVMs as child processes on loopback, started with exactly the JVM options
 * Skyward gives its agents ({@link AgentCommand#DEFAULT_JVM_OPTIONS}). Members are started one
 * after the other (the first forms the cluster, the next join it). They are stopped by
 * {@link #close()}, by a shutdown hook if the benchmark JVM exits without closing, and by
 * themselves when this JVM dies (their stdin closes).
 */
final class PeerCluster implements AutoCloseable {

    private final List<Process> members = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();
    private final String clusterName = "skyward-bench-" + ProcessHandle.current().pid();
    private final Thread hook = new Thread(this::destroyAll, "peer-cluster-cleanup");
    private final Path logDir;

    private final int executorPoolSize;

    /** Starts {@code count} members (0: none yet, see {@link #grow}). */
    PeerCluster(int count, int executorPoolSize, Path logDir) throws IOException, InterruptedException {
        this.logDir = logDir;
        this.executorPoolSize = executorPoolSize;
        Files.createDirectories(logDir);
        Runtime.getRuntime().addShutdownHook(hook);
        grow(count);
    }

    /**
     * Starts members one after the other until there are {@code count}; each joins the ones before
     * it (TCP/IP, their ports) and is ready once it prints READY.
     */
    void grow(int count) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try {
            for (int i = members.size(); i < count; i++) {
                ports.add(freePort());
                String peerPorts = ports.stream().map(String::valueOf).collect(Collectors.joining(","));
                List<String> cmd = new ArrayList<>();
                cmd.add(java);
                cmd.addAll(jvmOptions());
                cmd.add("-cp");
                cmd.add(System.getProperty("java.class.path"));
                cmd.add(HazelcastMember.class.getName());
                cmd.add(clusterName);
                cmd.add(Integer.toString(ports.get(i)));
                cmd.add(peerPorts);
                cmd.add(Integer.toString(executorPoolSize));
                cmd.add(System.getProperty("bench.hz.memberCommonParallelism", ""));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                members.add(p);
                awaitReady(p, i, 120);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The member JVM options: Skyward's agent defaults, nothing else (no -Xmx: agents have none either). */
    static List<String> jvmOptions() {
        return AgentCommand.DEFAULT_JVM_OPTIONS;
    }

    String clusterName() {
        return clusterName;
    }

    List<String> addresses() {
        return ports.stream().map(p -> "127.0.0.1:" + p).toList();
    }

    /** Copies a member's output to its log file and counts down when it prints READY. */
    private void awaitReady(Process p, int index, int seconds) throws IOException, InterruptedException {
        CountDownLatch ready = new CountDownLatch(1);
        PrintStream log = new PrintStream(Files.newOutputStream(logDir.resolve("hazelcast-member-" + index + ".log")),
                true, StandardCharsets.UTF_8);
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    log.println(line);
                    if (line.startsWith("READY")) {
                        ready.countDown();
                    }
                }
            } catch (IOException e) {
                // the member is gone
            } finally {
                log.close();
            }
        }, "peer-member-" + index + "-log");
        pump.setDaemon(true);
        pump.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!ready.await(100, TimeUnit.MILLISECONDS)) {
            if (!p.isAlive()) {
                throw new IOException("Hazelcast member " + index + " exited with " + p.exitValue() + " before it was ready; see "
                        + logDir.resolve("hazelcast-member-" + index + ".log"));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("Hazelcast member " + index + " not ready after " + seconds + " s");
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Asks members to stop (closes their stdin), waits a little, then kills whatever remains. */
    @Override
    public void close() {
        destroyAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs destroyAll itself
        }
    }

    private synchronized void destroyAll() {
        for (Process p : members) {
            try {
                p.getOutputStream().close();
            } catch (IOException e) {
                // already closed
            }
        }
        for (Process p : members) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            if (p.isAlive()) {
                System.err.println("[bench] Hazelcast member pid " + p.pid() + " did not exit");
            }
        }
    }

    boolean allGone() {
        return members.stream().noneMatch(Process::isAlive);
    }
}
