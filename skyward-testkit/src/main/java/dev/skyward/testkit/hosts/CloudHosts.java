package dev.skyward.testkit.hosts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machine half of a cloud-in-a-box: a cloud's fake API calls {@link #create} when an instance is
 * created and {@link #destroy} when it is deleted, and each instance is a real host: an OpenSSH server
 * on its own loopback address with its own host key, Unix user and home, that accepts exactly the
 * public keys the API request carried. Destroying it stops that sshd, kills the user's processes and
 * removes the user and home. Needs root and {@code openssh-server}, like {@link SshHosts}.
 *
 * <pre>{@code
 * try (CloudHosts hosts = CloudHosts.start("do")) {
 *     SshHost h = hosts.create(null, publicKeyLine, Map.of("poweroff", "#!/bin/sh\ncurl -X POST ..."));
 *     // ... the test's client logs in to h.user()@h.address():h.port()
 *     hosts.destroy(h);
 *     assertThat(hosts.leftovers()).isEmpty();      // no sshd, user or process of any host made
 * }
 * }</pre>
 *
 * <p>Addresses are handed out from 127.0.3.2 upwards, never twice in a JVM (across farms too), unless the
 * fake chooses one (AWS's fake places instances at the private addresses its emulator assigns, such as
 * 127.0.5.4).
 */
public final class CloudHosts implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CloudHosts.class);

    private final Path dir;
    private final String userPrefix;
    /** JVM-wide, so two clouds' farms in one test (the cross-cloud tests) never hand out the same address. */
    private static final AtomicInteger ADDRESSES = new AtomicInteger();
    private final AtomicInteger counter = new AtomicInteger();
    private final List<SshHost> live = new ArrayList<>();
    private final List<SshHost> made = new ArrayList<>();
    private final Thread shutdownHook;
    private boolean closed;

    private CloudHosts(Path dir, String userPrefix) {
        this.dir = dir;
        this.userPrefix = userPrefix;
        this.shutdownHook = new Thread(this::closeQuietly, "cloud-hosts-cleanup");
    }

    /**
     * An empty farm.
     *
     * @param cloud a short lower-case name for the cloud (letters only), used in the hosts' user names
     * @return the farm; close it
     */
    public static CloudHosts start(String cloud) throws IOException {
        if (!cloud.matches("[a-z]{1,8}")) {
            throw new IllegalArgumentException("cloud name must be 1-8 lower-case letters: " + cloud);
        }
        HostCommands.requireOpenSsh();
        Path dir = Files.createTempDirectory("skyward-cloud-" + cloud + "-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        String tag = Integer.toString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff), 16);
        CloudHosts hosts = new CloudHosts(dir, cloud + tag + "n");
        Runtime.getRuntime().addShutdownHook(hosts.shutdownHook);
        return hosts;
    }

    /**
     * Brings up a host.
     *
     * @param address the loopback address to listen on, or {@code null} for the next free one
     * @param authorizedKeys OpenSSH public keys the host's user accepts, one a line
     * @param commands stand-in commands by name (e.g. {@code poweroff}), first on the SSH sessions' PATH
     * @return the running host
     */
    public SshHost create(String address, String authorizedKeys, Map<String, String> commands) throws IOException {
        int n;
        String addr;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("cloud hosts closed");
            }
            n = counter.getAndIncrement();
            addr = address != null ? address : nextAddress(ADDRESSES.getAndIncrement());
        }
        if (!addr.startsWith("127.")) {
            throw new IllegalArgumentException("cloud hosts listen on loopback only, not " + addr);
        }
        SshHost h = new SshHost(dir, n, addr, 0, userPrefix + n, Files.createDirectories(dir.resolve("host" + n)),
                authorizedKeys, commands);
        synchronized (this) {
            made.add(h);
            live.add(h);
        }
        try {
            h.create();
        } catch (IOException | RuntimeException e) {
            destroy(h);
            throw e;
        }
        log.debug("cloud host {} up", h);
        return h;
    }

    /** Never reuses an address, so a client's pinned host key of a destroyed host cannot match a new one. */
    private static String nextAddress(int n) {
        if (n >= 253 * 100) {
            throw new IllegalStateException("no loopback address left");
        }
        return "127.0." + (3 + n / 253) + "." + (2 + n % 253);
    }

    /**
     * Stops a host: its sshd, every process of its user, then the user and home. Idempotent.
     *
     * @param host a host this farm made
     */
    public void destroy(SshHost host) {
        synchronized (this) {
            if (!live.remove(host)) {
                return;
            }
        }
        host.destroy();
        HostCommands.deleteTree(dir.resolve("host" + host.index()));
        log.debug("cloud host {} destroyed", host);
    }

    /** The host listening on this address, if one is up. */
    public synchronized Optional<SshHost> at(String address) {
        return live.stream().filter(h -> h.address().equals(address)).findFirst();
    }

    /** The hosts that are up. */
    public synchronized List<SshHost> live() {
        return List.copyOf(live);
    }

    /**
     * What is left of every host this farm ever made: a running sshd, a Unix user, a process of that
     * user (of a host that is up, or one that survived its host's destroy: checked at destroy time, as
     * a removed user's uid may go to another user). Empty when every destroyed host is fully gone and
     * none is up.
     *
     * @return one line per leftover
     */
    public List<String> leftovers() {
        List<SshHost> all;
        List<SshHost> live;
        synchronized (this) {
            all = List.copyOf(made);
            live = List.copyOf(this.live);
        }
        List<String> left = new ArrayList<>();
        for (SshHost h : all) {
            if (h.sshdRunning()) {
                left.add(h + ": sshd running");
            }
            if (h.userExists()) {
                left.add(h + ": user " + h.user() + " exists");
            }
            if (!h.survivors().isEmpty()) {
                left.add(h + ": processes survived the destroy " + h.survivors());
            }
            if (live.contains(h)) {
                try {
                    List<Long> running = h.processes("");
                    if (!running.isEmpty()) {
                        left.add(h + ": up, processes " + running);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return left;
    }

    @Override
    public void close() {
        List<SshHost> up;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            up = List.copyOf(live);
        }
        up.forEach(this::destroy);
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
            log.warn("cleaning up cloud hosts failed", e);
        }
    }
}
