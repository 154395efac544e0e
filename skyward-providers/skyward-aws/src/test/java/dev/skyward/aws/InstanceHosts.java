package dev.skyward.aws;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.ec2.model.Filter;

/**
 * The machines behind moto's instances: while an instance is {@code running} at a loopback private
 * address, a real OpenSSH server listens there on port 22 with its own host key and Unix user, accepting
 * exactly the key pair the instance was launched with (read back with {@code DescribeKeyPairs
 * IncludePublicKey=true}). When the instance leaves {@code running} the host goes: sshd stopped, the
 * user's processes killed, user and home removed. On every host {@code shutdown}, {@code poweroff},
 * {@code halt} and {@code sudo} are stand-ins first on the session's PATH: "shutting down" tells the fake
 * EC2 the instance's OS went down (it then applies the shutdown behaviour); nothing on this machine stops.
 */
final class InstanceHosts implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InstanceHosts.class);

    /** One instance's host. */
    record Host(String instanceId, String address, int port, String user, Path home, Process sshd) {
    }

    private final Moto moto;
    private final Path dir;
    private final String userPrefix;
    private final AtomicInteger counter = new AtomicInteger();
    private final Map<String, Host> live = new ConcurrentHashMap<>();
    private final List<Host> made = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread watcher;
    private volatile boolean closed;
    private volatile Throwable failure;

    private InstanceHosts(Moto moto, Path dir) {
        this.moto = moto;
        this.dir = dir;
        this.userPrefix = "aws" + Integer.toString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff), 16) + "n";
        this.watcher = new Thread(this::watch, "instance-hosts");
        this.watcher.setDaemon(true);
    }

    static InstanceHosts start(Moto moto) throws IOException {
        if (!Files.isExecutable(Path.of("/usr/sbin/sshd"))) {
            throw new IllegalStateException("OpenSSH server not installed: run .ci/run (or apt-get install -y openssh-server)");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("the AWS end-to-end tests add Unix users and must run as root (.ci/run)");
        }
        Path dir = Files.createTempDirectory("skyward-aws-hosts-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        InstanceHosts hosts = new InstanceHosts(moto, dir);
        hosts.watcher.start();
        return hosts;
    }

    /** The login for an address an instance has: its host's port and user. */
    dev.skyward.spi.SshEndpoint login(String address) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Host> h = live.values().stream().filter(x -> x.address().equals(address)).findFirst();
            if (h.isPresent()) {
                return new dev.skyward.spi.SshEndpoint(address, h.get().port(), h.get().user());
            }
            sleep(50);
        }
        throw new IllegalStateException("no host came up for the instance at " + address);
    }

    List<Host> live() {
        return List.copyOf(live.values());
    }

    /** "address port user" per live host, one a line: how a client in another JVM learns the logins. */
    Path loginsFile() {
        return dir.resolve("logins");
    }

    private void writeLogins() throws IOException {
        StringBuilder b = new StringBuilder();
        live.values().forEach(h -> b.append(h.address()).append(' ').append(h.port()).append(' ').append(h.user())
                .append('\n'));
        Path tmp = dir.resolve("logins.tmp");
        Files.writeString(tmp, b.toString());
        Files.move(tmp, loginsFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private void watch() {
        while (!closed) {
            try {
                reconcile();
            } catch (Throwable t) {
                if (!closed) {
                    failure = t;
                    log.warn("instance hosts: {}", t.toString());
                }
            }
            sleep(100);
        }
    }

    private synchronized void reconcile() throws IOException {
        Map<String, String[]> running = new java.util.HashMap<>();
        moto.ec2().describeInstancesPaginator(b -> b.filters(Filter.builder().name("instance-state-name")
                .values("running").build())).reservations().forEach(r -> r.instances().forEach(i -> {
                    if (i.privateIpAddress() != null && i.privateIpAddress().startsWith("127.") && i.keyName() != null) {
                        running.put(i.instanceId(), new String[] {i.privateIpAddress(), i.keyName()});
                    }
                }));
        boolean changed = false;
        for (String id : List.copyOf(live.keySet())) {
            if (!running.containsKey(id)) {
                destroy(live.remove(id));
                changed = true;
            }
        }
        for (var e : running.entrySet()) {
            if (!live.containsKey(e.getKey())) {
                String key = moto.ec2().describeKeyPairs(b -> b.keyNames(e.getValue()[1]).includePublicKey(true))
                        .keyPairs().get(0).publicKey();
                live.put(e.getKey(), create(e.getKey(), e.getValue()[0], key.strip()));
                changed = true;
            }
        }
        if (changed) {
            writeLogins();
        }
    }

    private Host create(String instanceId, String address, String publicKey) throws IOException {
        int n = counter.getAndIncrement();
        String user = userPrefix + n;
        Path hostDir = Files.createDirectories(dir.resolve("host" + n));
        Path home = hostDir.resolve("home");
        run(List.of("useradd", "-m", "-d", home.toString(), "-s", "/bin/bash", "-p", "*", user));
        Path ssh = Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(ssh.resolve("authorized_keys"), publicKey + "\n");
        Path bin = Files.createDirectories(home.resolve("stand-ins"));
        String shutdown = moto.shutdownScript(address);
        for (String cmd : List.of("shutdown", "poweroff", "halt")) {
            Files.writeString(bin.resolve(cmd), shutdown);
        }
        // sudo as the instance's user would have it, minus any real privilege: it runs the stand-ins.
        Files.writeString(bin.resolve("sudo"), "#!/bin/bash\n[ \"$1\" = -n ] && shift\nexec \"$@\"\n");
        for (String cmd : List.of("shutdown", "poweroff", "halt", "sudo")) {
            Files.setPosixFilePermissions(bin.resolve(cmd), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.writeString(ssh.resolve("environment"), "PATH=" + bin + ":/usr/local/bin:/usr/bin:/bin\n");
        run(List.of("chown", "-R", user + ":" + user, home.toString()));
        Path hostKey = hostDir.resolve("ssh_host_ed25519_key");
        run(List.of("/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", instanceId, "-f", hostKey.toString()));
        Files.createDirectories(Path.of("/run/sshd"));
        Path config = hostDir.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "ListenAddress " + address + ":22",
                "HostKey " + hostKey,
                "PidFile none",
                "UsePAM no",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "AuthorizedKeysFile .ssh/authorized_keys",
                "StrictModes no",
                "PermitRootLogin no",
                "AllowUsers " + user,
                "AllowTcpForwarding yes",
                "UseDNS no",
                "PermitUserEnvironment yes",
                "PrintMotd no",
                "MaxStartups 100",
                "MaxSessions 100",
                "Subsystem sftp internal-sftp",
                ""));
        Path logFile = hostDir.resolve("sshd.log");
        Process sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        Host h = new Host(instanceId, address, 22, user, home, sshd);
        made.add(h);
        awaitBanner(address, 22, sshd, logFile);
        log.info("instance {} is a host at {}:22 (user {})", instanceId, address, user);
        return h;
    }

    private void destroy(Host h) {
        if (h == null) {
            return;
        }
        h.sshd().destroy();
        try {
            h.sshd().waitFor(5, TimeUnit.SECONDS);
            h.sshd().destroyForcibly();
            killUserProcesses(h.user());
            for (int attempt = 0; attempt < 20; attempt++) {
                try {
                    run(List.of("userdel", "-r", "-f", h.user()));
                    break;
                } catch (IOException e) {
                    if (!userExists(h.user())) {
                        break;
                    }
                    killUserProcesses(h.user());
                    sleep(250);
                }
            }
        } catch (IOException | InterruptedException e) {
            log.warn("destroying host of {}: {}", h.instanceId(), e.toString());
        }
        deleteTree(h.home().getParent());
        log.info("instance {}: host at {} gone", h.instanceId(), h.address());
    }

    private static void killUserProcesses(String user) throws IOException, InterruptedException {
        // Only this host's own Unix user, which this class created.
        new ProcessBuilder("pkill", "-KILL", "-u", user).start().waitFor(10, TimeUnit.SECONDS);
    }

    /** What is left of any host ever made: a running sshd, a Unix user, a process of that user. */
    List<String> leftovers() throws IOException {
        List<String> left = new ArrayList<>();
        for (Host h : made) {
            if (h.sshd().isAlive()) {
                left.add(h.instanceId() + ": sshd running at " + h.address());
            }
            if (userExists(h.user())) {
                left.add(h.instanceId() + ": user " + h.user() + " exists");
            }
        }
        if (failure != null) {
            left.add("host watcher failed: " + failure);
        }
        return left;
    }

    /** Waits until every instance's host is gone (the watcher follows moto's states). */
    List<String> awaitNoHosts(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && !(live.isEmpty() && leftovers().isEmpty())) {
            sleep(100);
        }
        List<String> left = new ArrayList<>(leftovers());
        live.values().forEach(h -> left.add(h.instanceId() + ": host still up"));
        return left;
    }

    /** Processes of the host's user whose command line contains the needle. */
    static List<Long> processes(Host h, String needle) {
        return ProcessHandle.allProcesses().filter(p -> p.info().user().map(h.user()::equals).orElse(false))
                .filter(p -> p.info().commandLine().map(c -> c.contains(needle)).orElse(false))
                .map(ProcessHandle::pid).toList();
    }

    @Override
    public synchronized void close() {
        closed = true;
        live.values().forEach(this::destroy);
        live.clear();
        deleteTree(dir);
    }

    private static boolean userExists(String user) throws IOException {
        return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith(user + ":"));
    }

    private static void run(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void awaitBanner(String address, int port, Process sshd, Path logFile) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!sshd.isAlive()) {
                throw new IOException("sshd at " + address + " exited: " + Files.readString(logFile));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), 500);
                s.setSoTimeout(1000);
                if (new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII).equals("SSH-")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            sleep(50);
        }
        throw new IOException("sshd at " + address + " did not answer: " + Files.readString(logFile));
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("could not delete {}: {}", root, e.toString());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
