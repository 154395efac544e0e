package dev.skyward.testkit.hosts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real OpenSSH servers for tests, each a separate "host": its own loopback address (127.0.0.2,
 * 127.0.0.3, ...), host key, Unix user and home directory, on a free port. Needs root (it adds users)
 * and Debian's {@code openssh-server}; {@code .ci/run} installs it.
 *
 * <pre>{@code
 * try (SshHosts hosts = SshHosts.start(4)) {
 *     SshHost h = hosts.get(0);          // h.address(), h.port(), h.user()
 *     Path key = hosts.clientKey();       // private key every user accepts
 *     Path knownHosts = hosts.knownHosts();
 * }   // sshd stopped, users and homes removed, their processes killed
 * }</pre>
 */
public final class SshHosts implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SshHosts.class);

    private final Path dir;
    private final Path clientKey;
    private final Path knownHosts;
    private final List<SshHost> hosts = new ArrayList<>();
    private final Thread shutdownHook;
    private boolean closed;

    private SshHosts(Path dir) {
        this.dir = dir;
        this.clientKey = dir.resolve("client/id_ed25519");
        this.knownHosts = dir.resolve("client/known_hosts");
        // A test JVM killed by a timeout must not leave users and servers behind.
        this.shutdownHook = new Thread(this::closeQuietly, "ssh-hosts-cleanup");
    }

    /**
     * Starts {@code count} hosts on 127.0.0.2 onwards.
     *
     * @param count how many
     * @return the running hosts; close them
     */
    public static SshHosts start(int count) throws IOException {
        HostCommands.requireOpenSsh();
        Path dir = Files.createTempDirectory("skyward-sshd-");
        // Users must traverse to their homes below this directory.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        SshHosts hosts = new SshHosts(dir);
        Runtime.getRuntime().addShutdownHook(hosts.shutdownHook);
        try {
            Path client = Files.createDirectories(dir.resolve("client"));
            Files.setPosixFilePermissions(client, PosixFilePermissions.fromString("rwx------"));
            HostCommands.run(List.of(HostCommands.SSH_KEYGEN.toString(), "-q", "-t", "ed25519", "-N", "", "-C",
                    "skyward-test-client", "-f", hosts.clientKey.toString()));
            String clientPublicKey = Files.readString(Path.of(hosts.clientKey + ".pub"));
            String tag = Integer.toString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff), 16);
            for (int i = 0; i < count; i++) {
                SshHost h = new SshHost(dir, i, "127.0.0." + (i + 2), 0, "skw" + tag + "h" + i,
                        Files.createDirectories(dir.resolve("host" + i)), clientPublicKey, Map.of());
                hosts.hosts.add(h);
                h.create();
            }
            hosts.writeKnownHosts();
            return hosts;
        } catch (IOException | RuntimeException e) {
            hosts.close();
            throw e;
        }
    }

    /** Host {@code i} (0-based; host 0 listens on 127.0.0.2). */
    public SshHost get(int i) {
        return hosts.get(i);
    }

    /** All hosts. */
    public List<SshHost> all() {
        return List.copyOf(hosts);
    }

    /** The client's ed25519 private key, accepted by every host. */
    public Path clientKey() {
        return clientKey;
    }

    /** A known_hosts file with every host's current key ({@code [addr]:port} entries). */
    public Path knownHosts() {
        return knownHosts;
    }

    /** A fresh scratch directory owned by root, removed with the hosts. */
    public Path scratch(String name) throws IOException {
        return Files.createDirectories(dir.resolve("scratch").resolve(name));
    }

    /** Rewrites {@link #knownHosts()} from the hosts' current keys. */
    public void writeKnownHosts() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (SshHost h : hosts) {
            sb.append(h.knownHostsLine()).append('\n');
        }
        Files.writeString(knownHosts, sb.toString());
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (SshHost h : hosts) {
            h.destroy();
        }
        HostCommands.deleteTree(dir);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook itself is running this
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            log.warn("cleaning up ssh hosts failed", e);
        }
    }

    Path dir() {
        return dir;
    }
}
