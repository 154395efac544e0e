package dev.skyward.testkit.hosts;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The root-run commands and waits the host classes share. */
final class HostCommands {

    private static final Logger log = LoggerFactory.getLogger(HostCommands.class);
    static final Path SSHD = Path.of("/usr/sbin/sshd");
    static final Path SSH_KEYGEN = Path.of("/usr/bin/ssh-keygen");

    private HostCommands() {
    }

    /** Fails with what to do when OpenSSH's server is missing, instead of skipping silently. */
    static void requireOpenSsh() {
        if (!Files.isExecutable(SSHD) || !Files.isExecutable(SSH_KEYGEN)) {
            throw new IllegalStateException("OpenSSH server not installed (" + SSHD + " missing): the SSH tests run "
                    + "real sshd processes. Run .ci/run, which installs it (or: apt-get install -y openssh-server)");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("the SSH tests add Unix users and must run as root (they do in CI; "
                    + "run them through .ci/run)");
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
                if (s.getInputStream().readNBytes(b, 0, 4) == 4
                        && new String(b, StandardCharsets.US_ASCII).equals("SSH-")) {
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

    /** Whether a Unix user of this name exists (read from /etc/passwd). */
    static boolean userExists(String user) {
        try {
            return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith(user + ":"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
