package dev.skyward.ssh.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
    private static final Path SSHD = Path.of("/usr/sbin/sshd");
    private static final Path SSH_KEYGEN = Path.of("/usr/bin/ssh-keygen");

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
        requireOpenSsh();
        Path dir = Files.createTempDirectory("skyward-sshd-");
        // Users must traverse to their homes below this directory.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        SshHosts hosts = new SshHosts(dir);
        Runtime.getRuntime().addShutdownHook(hosts.shutdownHook);
        try {
            Path client = Files.createDirectories(dir.resolve("client"));
            Files.setPosixFilePermissions(client, PosixFilePermissions.fromString("rwx------"));
            run(List.of(SSH_KEYGEN.toString(), "-q", "-t", "ed25519", "-N", "", "-C", "skyward-test-client", "-f",
                    hosts.clientKey.toString()));
            String tag = Integer.toString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff), 16);
            for (int i = 0; i < count; i++) {
                SshHost h = new SshHost(hosts, i, "127.0.0." + (i + 2), "skw" + tag + "h" + i,
                        Files.createDirectories(dir.resolve("host" + i)));
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

    /** Fails with what to do when OpenSSH's server is missing, instead of skipping silently. */
    private static void requireOpenSsh() {
        if (!Files.isExecutable(SSHD) || !Files.isExecutable(SSH_KEYGEN)) {
            throw new IllegalStateException("OpenSSH server not installed (" + SSHD + " missing): the SSH tests run "
                    + "real sshd processes. Run .ci/run, which installs it (or: apt-get install -y openssh-server)");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("the SSH tests add Unix users and must run as root (they do in CI; "
                    + "run them through .ci/run)");
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
        deleteTree(dir);
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

    /** Runs a local command as root and returns its output; fails when it exits non-zero. */
    static String run(List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Process p = pb.start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + cmd);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + cmd, e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out.strip());
        }
        return out;
    }

    /** Runs a user-management command, retrying while another process holds /etc/passwd's lock. */
    static void runLocked(List<String> cmd) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                run(cmd);
                return;
            } catch (IOException e) {
                last = e;
                if (!e.getMessage().toLowerCase(Locale.ROOT).contains("lock")) {
                    throw e;
                }
                sleep(Duration.ofMillis(250));
            }
        }
        throw last;
    }

    static int freePort(String address) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(address))) {
            return s.getLocalPort();
        }
    }

    /** Waits until something on address:port sends an SSH banner. */
    static void awaitBanner(String address, int port, Duration timeout, Process sshd, Path logFile)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!sshd.isAlive()) {
                throw new IOException("sshd on " + address + ":" + port + " exited " + sshd.exitValue() + ": "
                        + Files.readString(logFile));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), 500);
                s.setSoTimeout(1000);
                byte[] b = new byte[4];
                if (s.getInputStream().readNBytes(b, 0, 4) == 4 && new String(b, StandardCharsets.US_ASCII).equals("SSH-")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            sleep(Duration.ofMillis(50));
        }
        throw new IOException("sshd on " + address + ":" + port + " did not answer within " + timeout + ": "
                + Files.readString(logFile));
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.warn("could not delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            log.warn("could not delete {}: {}", root, e.toString());
        }
    }

    Path dir() {
        return dir;
    }
}
