package dev.skyward.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.Image;
import dev.skyward.PoolEvent;
import dev.skyward.node.AgentCommand;
import dev.skyward.spi.Instance;
import dev.skyward.spi.InstanceStatus;
import dev.skyward.spi.SshEndpoint;
import dev.skyward.ssh.testing.FakeAgent;
import dev.skyward.testkit.hosts.SshHost;
import dev.skyward.testkit.hosts.SshHosts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The SSH bootstrap against real OpenSSH servers (one per loopback address), with a stand-in agent
 * that follows the agent's command-line contract.
 */
@Timeout(120)
class SshBootstrapTest {

    static SshHosts hosts;
    static Path agentJar;

    @BeforeAll
    static void startHosts() throws IOException {
        hosts = SshHosts.start(4);
        agentJar = FakeAgent.jar(hosts.scratch("jars"), 256 * 1024);
    }

    @AfterAll
    static void stopHosts() {
        if (hosts != null) {
            hosts.close();
        }
    }

    static SshCredentials known() {
        return SshCredentials.keyFile(hosts.clientKey(), HostKeyPolicy.knownHosts(hosts.knownHosts()));
    }

    static SshTarget target(SshHost h, SshCredentials c) {
        return new SshTarget(h.address(), h.port(), h.user(), c);
    }

    static Instance instance(SshHost h, String pool, int index) {
        return new Instance("ssh-" + h.index(), "ssh", pool, index, InstanceStatus.RUNNING, h.address(), h.address(),
                new SshEndpoint(h.address(), h.port(), h.user()));
    }

    static AgentCommand command(String pool, int rank, Duration grace) {
        return new AgentCommand(agentJar, pool, rank, "tok-" + pool, Map.of("RANK", Integer.toString(rank),
                "MASTER_ADDR", hosts.get(0).address(), "WEIRD", "it's a \"value\" $HOME"), grace, null, List.of());
    }

    static String call(int port, String line) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
            s.setSoTimeout(20_000);
            out.println(line);
            return in.readLine();
        }
    }

    @Test
    void connectsChecksKnownHostsAndRunsCommands() throws IOException {
        SshHost h = hosts.get(0);
        try (SshSession s = SshConnector.connect(target(h, known()), Duration.ofSeconds(10), Duration.ofSeconds(10))) {
            ExecResult r = s.exec("echo \"$(id -un) $HOME\"; echo err >&2; exit 3", Duration.ofSeconds(10));
            assertThat(r.exitStatus()).isEqualTo(3);
            assertThat(r.stdout().trim()).isEqualTo(h.user() + " " + h.home());
            assertThat(r.stderr().trim()).isEqualTo("err");
            NodeFacts f = NodeFacts.parse(s.exec(NodeFacts.script(BootstrapSettings.DEFAULT_JAVA_CANDIDATES,
                    List.of("abc"), "img"), Duration.ofSeconds(10)).stdout());
            assertThat(f.os()).isEqualTo("Linux");
            assertThat(f.home()).isEqualTo(h.home().toString());
            assertThat(f.java(17)).isNotNull();
            assertThat(f.root()).isFalse();
            assertThat(f.freeBytes()).isPositive();
        }
    }

    @Test
    void unknownHostIsRefusedWithTheCommandThatAddsIt() throws IOException {
        Path empty = hosts.scratch("empty").resolve("known_hosts");
        Files.writeString(empty, "");
        SshCredentials c = SshCredentials.keyFile(hosts.clientKey(), HostKeyPolicy.knownHosts(empty));
        assertThatThrownBy(() -> SshConnector.connect(target(hosts.get(1), c), Duration.ofSeconds(5), Duration.ofSeconds(5)))
                .isInstanceOf(BootstrapException.class).isNotInstanceOf(HostKeyMismatchException.class)
                .hasMessageContaining("is not in").hasMessageContaining("ssh-keyscan -p " + hosts.get(1).port());
    }

    @Test
    void wrongKeyFailsFastSayingWhatToCheck() throws IOException {
        Path other = hosts.scratch("otherkey").resolve("id_ed25519");
        new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString()).start().onExit().join();
        SshCredentials c = SshCredentials.keyFile(other, HostKeyPolicy.knownHosts(hosts.knownHosts()));
        long t = System.nanoTime();
        assertThatThrownBy(() -> SshConnector.connect(target(hosts.get(1), c), Duration.ofSeconds(30), Duration.ofSeconds(30)))
                .isInstanceOf(BootstrapException.class).hasMessageContaining("login refused for user '" + hosts.get(1).user())
                .hasMessageContaining("authorized_keys");
        assertThat(Duration.ofNanos(System.nanoTime() - t)).isLessThan(Duration.ofSeconds(5));
        SshTarget wrongUser = new SshTarget(hosts.get(1).address(), hosts.get(1).port(), "nobody", known());
        assertThatThrownBy(() -> SshConnector.connect(wrongUser, Duration.ofSeconds(30), Duration.ofSeconds(30)))
                .hasMessageContaining("wrong key or wrong user");
    }

    @Test
    void logsInWithTheKeysOfAnSshAgent() throws Exception {
        Path sock = hosts.scratch("agent").resolve("agent.sock");
        Process agent = new ProcessBuilder("ssh-agent", "-D", "-a", sock.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!Files.exists(sock) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            SshCredentials viaAgent = SshCredentials.agent(sock, HostKeyPolicy.knownHosts(hosts.knownHosts()));
            assertThatThrownBy(() -> SshConnector.connect(target(hosts.get(0), viaAgent), Duration.ofSeconds(5),
                    Duration.ofSeconds(5))).hasMessageContaining("holds no keys");
            ProcessBuilder add = new ProcessBuilder("ssh-add", hosts.clientKey().toString()).redirectErrorStream(true);
            add.environment().put("SSH_AUTH_SOCK", sock.toString());
            assertThat(add.start().waitFor()).isZero();
            try (SshSession s = SshConnector.connect(target(hosts.get(0), viaAgent), Duration.ofSeconds(5),
                    Duration.ofSeconds(5))) {
                assertThat(s.exec("id -un", Duration.ofSeconds(5)).stdout().trim()).isEqualTo(hosts.get(0).user());
            }
        } finally {
            agent.destroy();
            agent.waitFor();
        }
    }

    @Test
    void poolKeyIsAValidOpenSshKeyAndPinsHostKeys() throws Exception {
        PoolKey key = PoolKey.generate("pk-test");
        assertThat(key.publicKey()).startsWith("ssh-ed25519 ").endsWith(" skyward-pk-test");
        SshHost h = hosts.get(3);
        Path auth = h.home().resolve(".ssh/authorized_keys");
        String before = Files.readString(auth);
        Files.writeString(auth, before + key.publicKey() + "\n");
        try {
            Instance inst = instance(h, "pk", 0);
            SshTarget t = new SshTarget(h.address(), h.port(), h.user(), key.credentials());
            try (SshSession s = SshConnector.connect(t, Duration.ofSeconds(5), Duration.ofSeconds(5))) {
                assertThat(s.exec("id -un", Duration.ofSeconds(5)).stdout().trim()).isEqualTo(h.user());
            }
            assertThat(key.pins().pinned(h.address(), h.port())).startsWith("SHA256:");
            assertThat(key.credentials().toString()).doesNotContain("PRIVATE");
        } finally {
            Files.writeString(auth, before);
        }
    }

    @Test
    void unreachableHostSaysSo() throws IOException {
        SshTarget nothing = new SshTarget("127.0.0.1", 1, "x", known());
        assertThatThrownBy(() -> SshConnector.connect(nothing, Duration.ofMillis(500), Duration.ofSeconds(5)))
                .isInstanceOf(BootstrapException.class).hasMessageContaining("host unreachable")
                .hasMessageContaining("TCP port 1");
    }

    @Test
    void changedHostKeyIsRefusedUnderBothPolicies() throws IOException {
        SshHost h = hosts.get(3);
        PinnedHostKeys pins = HostKeyPolicy.pinnedFirstUse();
        SshCredentials pinned = SshCredentials.keyFile(hosts.clientKey(), pins);
        SshConnector.connect(target(h, pinned), Duration.ofSeconds(5), Duration.ofSeconds(5)).close();
        assertThat(pins.pinned(h.address(), h.port())).startsWith("SHA256:");
        SshConnector.connect(target(h, pinned), Duration.ofSeconds(5), Duration.ofSeconds(5)).close();
        h.changeHostKey();
        try {
            long t = System.nanoTime();
            assertThatThrownBy(() -> SshConnector.connect(target(h, known()), Duration.ofSeconds(5), Duration.ofSeconds(5)))
                    .isInstanceOf(HostKeyMismatchException.class).hasMessageContaining("HOST KEY MISMATCH")
                    .hasMessageContaining("ssh-keygen -R '[" + h.address() + "]:" + h.port() + "'")
                    .hasMessageNotContaining("[[");
            assertThatThrownBy(() -> SshConnector.connect(target(h, pinned), Duration.ofSeconds(5), Duration.ofSeconds(5)))
                    .isInstanceOf(HostKeyMismatchException.class).hasMessageContaining("pinned");
            assertThat(Duration.ofNanos(System.nanoTime() - t)).isLessThan(Duration.ofSeconds(5));
        } finally {
            hosts.writeKnownHosts();
        }
    }

    @Test
    void startsAgentsInParallelUploadsByHashForwardsAndCleansUp() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        SshAgentLauncher launcher = new SshAgentLauncher(BootstrapSettings.builder().build(), i -> known(), events::add);
        String pool = "boot-" + System.nanoTime();
        List<SshHost> two = List.of(hosts.get(0), hosts.get(1));
        List<CompletableFuture<SshStartedAgent>> starts = two.stream().map(h -> CompletableFuture.supplyAsync(() -> {
            try {
                return launcher.start(instance(h, pool, h.index()), command(pool, h.index(), Duration.ofSeconds(30)));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        })).toList();
        List<SshStartedAgent> agents = starts.stream().map(CompletableFuture::join).toList();
        try {
            for (int i = 0; i < 2; i++) {
                SshStartedAgent a = agents.get(i);
                assertThat(a.host()).isEqualTo("127.0.0.1");
                assertThat(call(a.port(), "ping")).isEqualTo("pong");
                assertThat(call(a.port(), "env RANK")).isEqualTo(Integer.toString(i));
                assertThat(call(a.port(), "env SKYWARD_TOKEN")).isEqualTo("tok-" + pool);
                assertThat(call(a.port(), "env WEIRD")).isEqualTo("it's a \"value\" $HOME");
                assertThat(a.isAlive()).isTrue();
                assertThat(a.report().bytesUploaded() + 0).isIn(0L, Files.size(agentJar));
                // The token never shows on a command line.
                assertThat(Files.readString(Path.of("/proc/" + a.pid() + "/cmdline"))).doesNotContain("tok-");
                assertThat(Files.exists(Path.of(a.runDir(), "agent.env"))).isFalse();
            }
            assertThat(events).anyMatch(e -> e instanceof PoolEvent.NodeProgress p && p.phase().equals("upload"));
        } finally {
            for (SshStartedAgent a : agents) {
                assertThat(a.destroy(Duration.ofSeconds(1))).isTrue();
            }
        }
        for (int i = 0; i < 2; i++) {
            assertThat(two.get(i).javaProcesses()).isEmpty();
            assertThat(Path.of(agents.get(i).runDir())).doesNotExist();
            assertThat(Path.of(agents.get(i).cachedFiles().get(0))).exists();
        }
        // Warm: nothing is sent again.
        SshStartedAgent again = launcher.start(instance(hosts.get(0), pool, 0), command(pool + "x", 0, Duration.ofSeconds(30)));
        try {
            assertThat(again.report().bytesUploaded()).isZero();
            assertThat(again.report().filesCached()).isEqualTo(1);
        } finally {
            again.destroy(Duration.ofSeconds(1));
        }
    }

    @Test
    void reconnectsAfterTheConnectionIsCutAndTheForwardKeepsItsPort() throws Exception {
        SshHost h = hosts.get(2);
        SshAgentLauncher launcher = new SshAgentLauncher(BootstrapSettings.builder().reconnectWindow(Duration.ofSeconds(20))
                .build(), i -> known(), e -> { });
        String pool = "recon-" + System.nanoTime();
        SshStartedAgent a = launcher.start(instance(h, pool, 0), command(pool, 0, Duration.ofSeconds(30)));
        try {
            int port = a.port();
            CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(() -> {
                try {
                    return call(port, "sleep 3000");
                } catch (IOException e) {
                    return "cut: " + e;
                }
            });
            Thread.sleep(500);
            assertThat(h.killConnections()).isPositive();
            long seen = System.nanoTime() + 5_000_000_000L;
            while (a.linkState() == SshStartedAgent.LinkState.CONNECTED && System.nanoTime() < seen) {
                Thread.sleep(10); // until the client notices the cut (or it has already reconnected)
            }
            assertThat(a.awaitReachable(Duration.ofSeconds(20))).isTrue();
            assertThat(a.port()).isEqualTo(port);
            assertThat(call(port, "ping")).isEqualTo("pong");
            assertThat(inFlight).succeedsWithin(Duration.ofSeconds(5)); // cut at once (EOF), never hung
        } finally {
            assertThat(a.destroy(Duration.ofSeconds(1))).isTrue();
        }
        assertThat(h.javaProcesses()).isEmpty();
    }

    @Test
    void agentExitsByItselfWhenTheClientGoesSilent() throws Exception {
        SshHost h = hosts.get(1);
        SshAgentLauncher launcher = new SshAgentLauncher(BootstrapSettings.builder().build(), i -> known(), e -> { });
        String pool = "dead-" + System.nanoTime();
        SshStartedAgent a = launcher.start(instance(h, pool, 0), command(pool, 0, Duration.ofSeconds(2)));
        // Simulate a crashed client: the connection goes away and nobody cleans up.
        a.abandon();
        // The agent exits, then its wrapper records the exit and removes the run directory: wait for both.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((!h.javaProcesses().isEmpty() || Files.exists(Path.of(a.runDir()))) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(h.javaProcesses()).isEmpty();
        assertThat(Path.of(a.runDir())).doesNotExist();
    }

    @Test
    void failingSetupCommandShowsItsLastOutput() {
        Image image = Image.builder().setup("echo first line; echo the-real-reason >&2; exit 7").build();
        SshAgentLauncher launcher = new SshAgentLauncher(BootstrapSettings.builder().image(image).build(), i -> known(), e -> { });
        assertThatThrownBy(() -> launcher.start(instance(hosts.get(2), "img", 0), command("img", 0, Duration.ofSeconds(5))))
                .isInstanceOf(BootstrapException.class).hasMessageContaining("[image]")
                .hasMessageContaining("failed with exit 7").hasMessageContaining("the-real-reason");
    }

    @Test
    void imageSetupRunsOnceWithItsEnv() throws IOException {
        Image image = Image.builder().env("GREETING", "hi there").setup("echo \"$GREETING\" >> \"$HOME/setup-ran\"").build();
        SshAgentLauncher launcher = new SshAgentLauncher(BootstrapSettings.builder().image(image).build(), i -> known(), e -> { });
        for (int i = 0; i < 2; i++) {
            launcher.start(instance(hosts.get(3), "img2", 0), command("img2-" + i, 0, Duration.ofSeconds(5)))
                    .destroy(Duration.ofMillis(100));
        }
        assertThat(Files.readString(hosts.get(3).home().resolve("setup-ran"))).isEqualTo("hi there\n");
    }

    @Test
    void noJavaAndNoWayToInstallItSaysWhatToDo() {
        SshAgentLauncher launcher = new SshAgentLauncher(BootstrapSettings.builder()
                .javaCandidates(List.of("/nonexistent/bin/java")).build(), i -> known(), e -> { });
        assertThatThrownBy(() -> launcher.start(instance(hosts.get(2), "nojava", 0), command("nojava", 0, Duration.ofSeconds(5))))
                .isInstanceOf(BootstrapException.class).hasMessageContaining("no Java 17+ runtime")
                .hasMessageContaining("not root and has no passwordless sudo")
                .hasMessageContaining("openjdk-17-jre-headless");
    }

    @Test
    void fullDiskIsReportedBeforeSending() throws Exception {
        SshHost h = hosts.get(2);
        Path cache = h.home().resolve(".skyward/cache");
        Files.createDirectories(cache);
        Path small = hosts.scratch("bigjar");
        Path big = FakeAgent.jar(small, 2 * 1024 * 1024);
        run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", cache.toString());
        try {
            run("chown", h.user(), cache.toString());
            SshAgentLauncher launcher = new SshAgentLauncher(BootstrapSettings.builder().build(), i -> known(), e -> { });
            AgentCommand cmd = new AgentCommand(big, "disk", 0, "t", Map.of(), Duration.ofSeconds(5), null, List.of());
            assertThatThrownBy(() -> launcher.start(instance(h, "disk", 0), cmd))
                    .isInstanceOf(BootstrapException.class).hasMessageContaining("disk full")
                    .hasMessageContaining("Free space on the host");
        } finally {
            run("umount", cache.toString());
        }
    }

    @Test
    void diskFullWhileUploadingSaysSo() throws Exception {
        SshHost h = hosts.get(2);
        Path cache = h.home().resolve(".skyward/cache");
        Files.createDirectories(cache);
        // Plenty of free blocks (the pre-check passes) but no free inode: the write itself fails, ENOSPC.
        run("mount", "-t", "tmpfs", "-o", "size=512m,nr_inodes=1", "tmpfs", cache.toString());
        try {
            run("chown", h.user(), cache.toString());
            SshAgentLauncher launcher = new SshAgentLauncher(BootstrapSettings.builder().build(), i -> known(), e -> { });
            AgentCommand cmd = new AgentCommand(FakeAgent.jar(hosts.scratch("inode"), 1024), "inode", 0, "t", Map.of(),
                    Duration.ofSeconds(5), null, List.of());
            assertThatThrownBy(() -> launcher.start(instance(h, "inode", 0), cmd))
                    .isInstanceOf(BootstrapException.class).hasMessageContaining("[upload]")
                    .hasMessageContaining("disk full").hasMessageContaining("No space left on device");
        } finally {
            run("umount", cache.toString());
        }
        assertThat(h.javaProcesses()).isEmpty();
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertThat(p.waitFor()).as(String.join(" ", cmd)).isZero();
    }
}
