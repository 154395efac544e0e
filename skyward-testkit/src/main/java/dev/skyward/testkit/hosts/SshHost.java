package dev.skyward.testkit.hosts;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One test "host": an {@code sshd} on its own loopback address with its own host key, and a Unix
 * user with its own home directory. Made by {@link SshHosts} (a fixed farm that accepts one client key) or
 * {@link CloudHosts} (hosts made and destroyed on demand, as a cloud's fake API makes instances).
 */
public final class SshHost {

    private static final Logger log = LoggerFactory.getLogger(SshHost.class);

    private final int index;
    private final String address;
    private final String user;
    private final Path dir;
    private final Path home;
    private final String authorizedKeys;
    private final Map<String, String> commands;
    private int port;
    private Process sshd;
    private boolean userCreated;
    private int uid = -1;
    private volatile int killedOnDestroy = -1;
    private volatile List<Long> survivors = List.of();

    /**
     * @param root the farm's directory (homes live under {@code root/home})
     * @param port the port to listen on, 0 for a free one
     * @param authorizedKeys the OpenSSH public keys this host's user accepts, one a line
     * @param commands shell scripts by command name, put first on the user's PATH (stand-ins for
     *     commands a test must not run for real, such as {@code poweroff})
     */
    SshHost(Path root, int index, String address, int port, String user, Path dir, String authorizedKeys,
            Map<String, String> commands) {
        this.index = index;
        this.address = address;
        this.port = port;
        this.user = user;
        this.dir = dir;
        this.home = root.resolve("home").resolve(user);
        this.authorizedKeys = authorizedKeys.endsWith("\n") ? authorizedKeys : authorizedKeys + "\n";
        this.commands = new LinkedHashMap<>(commands);
    }

    /** Loopback address, 127.0.0.2 for host 0. */
    public String address() {
        return address;
    }

    /** SSH port. */
    public int port() {
        return port;
    }

    /** Login user. */
    public String user() {
        return user;
    }

    /** The user's home directory (this host's "filesystem"). */
    public Path home() {
        return home;
    }

    /** Index in the farm that made it. */
    public int index() {
        return index;
    }

    /** sshd's log. */
    public Path logFile() {
        return dir.resolve("sshd.log");
    }

    void create() throws IOException {
        Files.createDirectories(home.getParent());
        Files.setPosixFilePermissions(home.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        // '*' rather than useradd's locked '!': sshd without PAM refuses locked accounts.
        HostCommands.runLocked(List.of("useradd", "-m", "-d", home.toString(), "-s", "/bin/bash", "-p", "*", user));
        userCreated = true;
        uid = (Integer) Files.getAttribute(home, "unix:uid");
        Path ssh = Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(ssh.resolve("authorized_keys"), authorizedKeys);
        if (!commands.isEmpty()) {
            // Root-owned, so the node's own processes cannot replace the stand-ins.
            Path bin = Files.createDirectories(dir.resolve("bin"));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (Map.Entry<String, String> c : commands.entrySet()) {
                Path f = bin.resolve(c.getKey());
                Files.writeString(f, c.getValue());
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            writeEnvironment();
        }
        HostCommands.run(List.of("chown", "-R", user + ":" + user, ssh.toString()));
        generateHostKey();
        Files.createDirectories(Path.of("/run/sshd"));
        if (port == 0) {
            port = HostCommands.freePort(address);
        }
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "ListenAddress " + address + ":" + port,
                "HostKey " + hostKey(),
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
                "LogLevel INFO",
                ""));
        startSshd();
    }

    private Path hostKey() {
        return dir.resolve("ssh_host_ed25519_key");
    }

    private void generateHostKey() throws IOException {
        Files.deleteIfExists(hostKey());
        Files.deleteIfExists(Path.of(hostKey() + ".pub"));
        HostCommands.run(List.of("/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "host" + index, "-f",
                hostKey().toString()));
    }

    private void startSshd() throws IOException {
        ProcessBuilder pb = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
        sshd = pb.start();
        HostCommands.awaitBanner(address, port, Duration.ofSeconds(20), sshd, logFile());
    }

    /** {@code [addr]:port key} for a known_hosts file. */
    public String knownHostsLine() throws IOException {
        String[] pub = Files.readString(Path.of(hostKey() + ".pub")).trim().split(" ");
        return "[" + address + "]:" + port + " " + pub[0] + " " + pub[1];
    }

    /** Replaces the host key and restarts sshd on the same port (a "reinstalled" or spoofed host). */
    public void changeHostKey() throws IOException {
        stopSshd();
        generateHostKey();
        startSshd();
    }

    /**
     * Takes the host off the network as far as SSH goes: sshd and every connection end, so nothing
     * can reconnect until {@link #comeBack()}; processes started detached keep running.
     */
    public void goOffline() {
        stopSshd();
    }

    /** Starts sshd again after {@link #goOffline()}, on the same port with the same key. */
    public void comeBack() throws IOException {
        startSshd();
    }

    /** Stops sshd and starts it again on the same port with the same key. */
    public void restart() throws IOException {
        stopSshd();
        startSshd();
    }

    /**
     * Cuts every SSH connection to this host by killing sshd's per-connection children, as a network
     * failure would; the listening sshd stays up, processes started detached keep running.
     *
     * @return how many connections were cut
     */
    public int killConnections() throws IOException {
        // Both processes of each connection (privileged monitor and the user's session process) go,
        // as with a network failure; detached processes were re-parented and are not descendants.
        List<ProcessHandle> conns = sshd.descendants().toList();
        int n = (int) conns.stream().filter(ph -> ph.parent().map(pp -> pp.pid() == sshd.pid()).orElse(false)).count();
        conns.forEach(ProcessHandle::destroyForcibly);
        return n;
    }

    /**
     * Installs a fake {@code nvidia-smi} for this host's user only (via ~/.ssh/environment's PATH),
     * reporting the given GPUs.
     *
     * @param gpus lines as {@code nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits}
     *     prints them, e.g. {@code "NVIDIA A100-SXM4-40GB, 40960"}
     */
    public void fakeGpus(String... gpus) throws IOException {
        Path bin = Files.createDirectories(home.resolve("fakebin"));
        Path smi = bin.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\ncat <<'EOF'\n" + String.join("\n", gpus) + "\nEOF\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        writeEnvironment();
        HostCommands.run(List.of("chown", "-R", user + ":" + user, bin.toString(), home.resolve(".ssh").toString()));
    }

    /** PATH for SSH sessions (sshd's PermitUserEnvironment): the stand-in commands, then fake GPUs, then the system's. */
    private void writeEnvironment() throws IOException {
        StringBuilder path = new StringBuilder("PATH=");
        if (!commands.isEmpty()) {
            path.append(dir.resolve("bin")).append(':');
        }
        if (Files.isDirectory(home.resolve("fakebin"))) {
            path.append(home.resolve("fakebin")).append(':');
        }
        path.append("/usr/local/bin:/usr/bin:/bin\n");
        Files.writeString(home.resolve(".ssh/environment"), path.toString());
    }

    /**
     * How many processes of the user were still running when the host was destroyed (and were
     * killed then); -1 while it is up. 0 means whatever ran there had already stopped.
     */
    public int killedOnDestroy() {
        return killedOnDestroy;
    }

    /** Processes of the user that survived the destroy (should be none). */
    public List<Long> survivors() {
        return survivors;
    }

    /** Whether this host's Unix user still exists. */
    public boolean userExists() {
        return HostCommands.userExists(user);
    }

    /** Whether this host's sshd is running. */
    public boolean sshdRunning() {
        return sshd != null && sshd.isAlive();
    }

    /** Pids of this host user's processes that run {@code java}. */
    public List<Long> javaProcesses() throws IOException {
        return processes("java");
    }

    /**
     * Pids of this host user's processes whose command line contains {@code needle}.
     *
     * @param needle text in the command line
     * @return the pids
     */
    public List<Long> processes(String needle) throws IOException {
        int uid = uid();
        List<Long> pids = new ArrayList<>();
        File[] procs = new File("/proc").listFiles((d, name) -> name.chars().allMatch(Character::isDigit));
        if (procs == null) {
            return pids;
        }
        for (File p : procs) {
            try {
                if ((Integer) Files.getAttribute(p.toPath(), "unix:uid") != uid) {
                    continue;
                }
                String stat = Files.readString(p.toPath().resolve("stat"));
                if (stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")) {
                    continue; // a zombie nobody reaps (PID 1 in some containers): gone for our purposes
                }
                String cmd = Files.readString(p.toPath().resolve("cmdline")).replace('\0', ' ');
                if (cmd.contains(needle)) {
                    pids.add(Long.parseLong(p.getName()));
                }
            } catch (IOException | RuntimeException gone) {
                // the process ended while we looked
            }
        }
        return pids;
    }

    /** The host user's numeric uid (remembered after the user is removed, to look for its leftovers). */
    public int uid() {
        return uid;
    }

    /**
     * Stops sshd, kills every process of the user and removes the user and home.
     */
    void destroy() {
        stopSshd();
        if (userCreated) {
            try {
                // Kill what tests left running as this user before the user disappears.
                List<Long> left = processes("");
                killedOnDestroy = left.size();
                if (!left.isEmpty()) {
                    log.warn("host {} ({}): killing {} leftover processes {}", index, user, left.size(), left);
                    left.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                    while (!processes("").isEmpty() && System.nanoTime() < deadline) {
                        HostCommands.sleep(Duration.ofMillis(50));
                    }
                }
                // Checked while the uid is still this user's: after userdel another user may get it.
                survivors = processes("");
                HostCommands.runLocked(List.of("userdel", "-f", "-r", user));
                userCreated = false;
            } catch (IOException e) {
                log.warn("could not remove user {}: {}", user, e.toString());
            }
        }
    }

    private void stopSshd() {
        if (sshd == null) {
            return;
        }
        sshd.descendants().forEach(ProcessHandle::destroyForcibly);
        sshd.destroy();
        try {
            if (!sshd.waitFor(5, TimeUnit.SECONDS)) {
                sshd.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sshd = null;
    }

    @Override
    public String toString() {
        return user + "@" + address + ":" + port;
    }
}
