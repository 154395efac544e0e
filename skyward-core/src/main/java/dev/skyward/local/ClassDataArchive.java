package dev.skyward.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * An AppCDS archive of the agent's classes for this JVM, which roughly halves an agent's start-up.
 * JDK 19 and later create and validate it themselves ({@code -XX:+AutoCreateSharedArchive}). On
 * JDK 17 the first agent that finds no archive records one when it exits
 * ({@code -XX:ArchiveClassesAtExit}) into a private file that is moved into place once it is complete,
 * so agents starting at the same time never read a half-written archive.
 */
final class ClassDataArchive {

    private final Path archive;
    private final boolean automatic;

    private ClassDataArchive(Path archive, boolean automatic) {
        this.archive = archive;
        this.automatic = automatic;
    }

    /**
     * The archive for an agent jar (by its hash) run by this process's JVM. The JVM refuses an archive
     * whose jar has another modification time than it recorded, so that time is part of the name: a
     * jar extracted again gets a new archive rather than agents that silently start without one.
     */
    static ClassDataArchive forAgent(Path jar, String agentSha) {
        Path dir = jar.getParent();
        long jarTime;
        try {
            jarTime = Files.getLastModifiedTime(jar).toMillis();
        } catch (IOException e) {
            jarTime = 0;
        }
        String vm = System.getProperty("java.vm.version") + "|" + System.getProperty("java.home") + "|" + jarTime;
        String name = "agent-" + agentSha.substring(0, 16) + "-" + Integer.toHexString(vm.hashCode()) + ".jsa";
        return new ClassDataArchive(dir.resolve(name), Runtime.version().feature() >= 19);
    }

    /** The archive's file (it may not exist yet). */
    Path file() {
        return archive;
    }

    /**
     * JVM options for one agent. On JDK 17, {@code recordTo} receives the private file this agent
     * records into, or stays empty when the archive exists (or another agent is recording it).
     *
     * @param mayRecord false when the agent's JVM cannot record an archive (it attaches a JVMTI or Java
     *     agent, {@link dev.skyward.node.AgentCommand#attachesJvmAgents()}): it then only uses one
     */
    List<String> options(Path[] recordTo, boolean mayRecord) {
        if (automatic && mayRecord) {
            return List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off",
                    "-Xlog:cds+dynamic=off");
        }
        if (Files.isRegularFile(archive)) {
            return List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto", "-Xlog:cds=off");
        }
        if (!mayRecord) {
            return List.of();
        }
        Path lock = archive.resolveSibling(archive.getFileName() + ".recording");
        try {
            // A recorder that died (its client was killed) leaves its lock: ten minutes is long enough.
            if (Files.isRegularFile(lock) && Files.getLastModifiedTime(lock).toMillis()
                    < System.currentTimeMillis() - 600_000) {
                Files.deleteIfExists(lock);
            }
            Files.createFile(lock);
        } catch (IOException someoneElseRecords) {
            return List.of();
        }
        Path part = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid() + "."
                + System.nanoTime() + ".part");
        recordTo[0] = part;
        return List.of("-XX:ArchiveClassesAtExit=" + part, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    }

    /** After the recording agent exited: publish its archive if it wrote one. */
    void publish(Path recorded) {
        Path lock = archive.resolveSibling(archive.getFileName() + ".recording");
        try {
            if (recorded != null && Files.isRegularFile(recorded) && Files.size(recorded) > 0) {
                Files.move(recorded, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // No archive this time: the next pool records again.
        } finally {
            try {
                if (recorded != null) {
                    Files.deleteIfExists(recorded);
                }
                Files.deleteIfExists(lock);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
