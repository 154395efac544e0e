package dev.skyward.ssh.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One test "host": an {@code sshd} on its own loopback address with its own host key, and a Unix
 * user with its own home directory. Made by {@link SshHosts}.
 */
public final class SshHost {

    private static final Logger log = LoggerFactory.getLogger(SshHost.class);

    private final SshHosts owner;
    private final int index;
    private final String address;
    private final String user;
    private final Path dir;
    private final Path home;
    private int port;
    private Process sshd;
    private boolean userCreated;

    SshHost(SshHosts owner, int index, String address, String user, Path dir) {
        this.owner = owner;
        this.index = index;
        this.address = address;
        this.user = user;
        this.dir = dir;
        this.home = owner.dir().resolve("home").resolve(user);
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

    /** Index in {@link SshHosts}. */
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
        SshHosts.runLocked(List.of("useradd", "-m", "-d", home.toString(), "-s", "/bin/bash", "-p", "*", user));
        userCreated = true;
        Path ssh = Files.createDirectories(home.resolve(".ssh"));
        Files.copy(Path.of(owner.clientKey() + ".pub"), ssh.resolve("authorized_keys"));
        SshHosts.run(List.of("chown", "-R", user + ":" + user, ssh.toString()));
        generateHostKey();
        Files.createDirectories(Path.of("/run/sshd"));
        port = SshHosts.freePort(address);
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
        SshHosts.run(List.of("/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "host" + index, "-f",
                hostKey().toString()));
    }

    private void startSshd() throws IOException {
        ProcessBuilder pb = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
        sshd = pb.start();
        SshHosts.awaitBanner(address, port, Duration.ofSeconds(20), sshd, logFile());
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
        Files.writeString(home.resolve(".ssh/environment"), "PATH=" + bin + ":/usr/local/bin:/usr/bin:/bin\n");
        SshHosts.run(List.of("chown", "-R", user + ":" + user, bin.toString(), home.resolve(".ssh").toString()));
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

    /** The host user's numeric uid. */
    public int uid() throws IOException {
        return (Integer) Files.getAttribute(home, "unix:uid");
    }

    void destroy() {
        stopSshd();
        if (userCreated) {
            try {
                // Kill what tests left running as this user before the user disappears.
                List<Long> left = processes("");
                if (!left.isEmpty()) {
                    log.warn("host {} ({}): killing {} leftover processes {}", index, user, left.size(), left);
                    left.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                    SshHosts.sleep(Duration.ofMillis(200));
                }
                SshHosts.runLocked(List.of("userdel", "-f", "-r", user));
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
