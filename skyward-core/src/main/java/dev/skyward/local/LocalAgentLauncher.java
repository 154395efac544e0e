package dev.skyward.local;

import dev.skyward.node.AgentCommand;
import dev.skyward.node.AgentJar;
import dev.skyward.node.AgentLauncher;
import dev.skyward.node.ExitDescription;
import dev.skyward.node.StartedAgent;
import dev.skyward.spi.Instance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Starts an agent JVM on this machine, in the node's working directory, with the node's environment:
 * how the engine starts nodes whose provider answers {@link dev.skyward.spi.NodeAccess#localProcess}.
 */
public final class LocalAgentLauncher implements AgentLauncher {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;

    /**
     * @param dir the node's working directory
     */
    public LocalAgentLauncher(Path dir) {
        this.dir = dir;
    }

    @Override
    public StartedAgent start(Instance instance, AgentCommand command) throws IOException {
        Files.createDirectories(dir);
        Path portFile = dir.resolve("agent.port");
        Path log = dir.resolve("agent.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ClassDataArchive cds = ClassDataArchive.forAgent(command.agentJar(),
                AgentJar.get().sha256());
        Path[] recording = new Path[1];
        List<String> cmd = command.withJvmOptions(cds.options(recording, !command.attachesJvmAgents()))
                .commandLine(java, command.agentJar().toString(), dir.toString(), portFile.toString(), true);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // The agent must not inherit this JVM's classpath settings: it loads user code only through shipping.
        pb.environment().remove("CLASSPATH");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().putAll(command.env());
        Process process = pb.start();
        try {
            int port = awaitPort(process, portFile, log);
            return new LocalAgent(process, port, AgentLog.open(log), () -> {
                if (recording[0] != null) {
                    cds.publish(recording[0]);
                }
            });
        } catch (IOException | RuntimeException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            if (recording[0] != null) {
                cds.publish(null);
            }
            throw e;
        }
    }

    private static int awaitPort(Process process, Path portFile, Path log) throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(portFile)) {
                String text = Files.readString(portFile, StandardCharsets.US_ASCII).trim();
                if (!text.isEmpty()) {
                    return Integer.parseInt(text);
                }
            }
            if (!process.isAlive()) {
                throw new IOException("the local agent exited with code " + process.exitValue()
                        + " before listening; its log ends with:\n" + tail(log));
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the local agent to start", e);
            }
        }
        throw new IOException("the local agent did not listen within " + START_TIMEOUT.toSeconds()
                + " s; its log ends with:\n" + tail(log));
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** A running local agent process. */
    private static final class LocalAgent implements StartedAgent {
        private final Process process;
        private final int port;
        private final AgentLog log;
        private final Runnable afterExit;
        private final CompletableFuture<String> exited;

        LocalAgent(Process process, int port, AgentLog log, Runnable afterExit) {
            this.process = process;
            this.port = port;
            this.log = log;
            this.afterExit = afterExit;
            // The process handle tells at once, where a broken stream could look like a network blip.
            this.exited = process.onExit().thenApply(p -> ExitDescription.of(p.exitValue()) + log.tailDescription());
        }

        @Override
        public CompletableFuture<String> exited() {
            return exited;
        }

        @Override
        public String host() {
            return "127.0.0.1";
        }

        @Override
        public int port() {
            return port;
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public boolean destroy(Duration grace) {
            // Children die with the agent only if it gets to clean up; remember them before it goes.
            List<ProcessHandle> family = process.descendants().toList();
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroy();
                    if (!process.waitFor(1, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                        process.waitFor(5, TimeUnit.SECONDS);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            for (ProcessHandle p : family) {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline && (process.isAlive() || family.stream().anyMatch(ProcessHandle::isAlive))) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            boolean gone = !process.isAlive() && family.stream().noneMatch(ProcessHandle::isAlive);
            if (gone) {
                exited.join(); // its description reads the log; close that only after
                log.close();
                afterExit.run();
            }
            return gone;
        }

        @Override
        public String toString() {
            return "local agent pid " + process.pid() + " on port " + port;
        }
    }
}
