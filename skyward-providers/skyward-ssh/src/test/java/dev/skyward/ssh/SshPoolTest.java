package dev.skyward.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.ComputePool;
import dev.skyward.NodeInfo;
import dev.skyward.OutputListener;
import dev.skyward.PoolConfigurationException;
import dev.skyward.PoolEvent;
import dev.skyward.testkit.hosts.SshHost;
import dev.skyward.testkit.hosts.SshHosts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pools on the {@code ssh} provider against real OpenSSH servers, one per loopback address, with the
 * real agent: tasks, rendezvous environment, torch.distributed, caching, connection loss, refused
 * keys, GPU checks, the dead-man's switch, and nothing left behind.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SshPoolTest {

    private static final Logger log = LoggerFactory.getLogger(SshPoolTest.class);
    private static final Pattern SENT = Pattern.compile("(\\d+) sent \\((\\d+) bytes\\), (\\d+) cached");

    static SshHosts hosts;

    @BeforeAll
    static void startHosts() throws IOException {
        hosts = SshHosts.start(4);
    }

    @AfterAll
    static void stopHosts() {
        if (hosts != null) {
            hosts.close();
        }
    }

    /** Every test: no agent process and no run directory left on any host, no tunnel left here. */
    @AfterEach
    void nothingLeft() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (tunnelThreads() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(tunnelThreads()).as("port-forward / reconnect threads still alive").isZero();
        for (SshHost h : hosts.all()) {
            assertThat(h.javaProcesses()).as("agent processes on " + h).isEmpty();
            Path run = h.home().resolve(".skyward/run");
            if (Files.exists(run)) {
                try (Stream<Path> s = Files.list(run)) {
                    assertThat(s.toList()).as("run dirs on " + h).isEmpty();
                }
            }
        }
    }

    static long tunnelThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("skyward-forward-") || t.getName().startsWith("skyward-reconnect-"))
                .count();
    }

    static Ssh provider(List<SshHost> which) {
        Ssh.Builder b = Ssh.builder().knownHosts(hosts.knownHosts()).identity(hosts.clientKey());
        which.forEach(h -> b.host(h.address(), h.port(), h.user()));
        return b.build();
    }

    static ComputePool.Builder pool(List<SshHost> which, Map<Integer, Long> bytesPerRank) {
        return ComputePool.builder().provider(provider(which)).nodes(which.size()).console(false)
                .output(OutputListener.SILENT).listener(e -> {
                    if (e instanceof PoolEvent.NodeProgress p && p.phase().equals("upload")) {
                        Matcher m = SENT.matcher(p.message());
                        if (m.find()) {
                            bytesPerRank.put(p.rank(), Long.parseLong(m.group(2)));
                        }
                    }
                });
    }

    @Test
    @Order(1)
    void fourHostPoolRunsBroadcastMapAndRunThenLeavesNothing() throws Exception {
        Map<Integer, Long> cold = new ConcurrentHashMap<>();
        long t = System.nanoTime();
        try (ComputePool pool = pool(hosts.all(), cold).build()) {
            Duration ready = Duration.ofNanos(System.nanoTime() - t);
            log.info("MEASURED 4-host pool ready, cold cache: {} ms; bytes uploaded per node: {}", ready.toMillis(), cold);
            assertThat(pool.broadcast(ctx -> ctx.rank())).containsExactly(0, 1, 2, 3);
            List<String> homes = pool.broadcast(ctx -> System.getProperty("user.home"));
            assertThat(homes).containsExactlyElementsOf(hosts.all().stream().map(h -> h.home().toString()).toList());
            assertThat(pool.nodes().stream().map(NodeInfo::address).toList())
                    .containsExactly("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5");
            assertThat(pool.broadcast(ctx -> System.getenv("MASTER_ADDR") + "/" + ctx.headAddress()))
                    .containsOnly("127.0.0.2/127.0.0.2");
            assertThat(pool.broadcast(ctx -> System.getenv("RANK") + "/" + System.getenv("WORLD_SIZE")))
                    .containsExactly("0/4", "1/4", "2/4", "3/4");
            List<Integer> squares = pool.map(IntStream.range(0, 20).boxed().toList(), (ctx, x) -> x * x);
            assertThat(squares).containsExactlyElementsOf(IntStream.range(0, 20).map(x -> x * x).boxed().toList());
            String ran = pool.run(ctx -> "ran on " + ctx.rank());
            assertThat(ran).startsWith("ran on ");
        }
        assertThat(cold).hasSize(4);
        long agentJar = dev.skyward.node.AgentJar.get().size();
        assertThat(cold.values()).allMatch(b -> b == agentJar);
        for (SshHost h : hosts.all()) {
            assertThat(h.home().resolve(".skyward/cache/" + dev.skyward.node.AgentJar.get().sha256() + ".jar")).exists();
            try (Stream<Path> files = Files.list(h.home().resolve(".skyward/cache"))) {
                log.info("cache on {}: {}", h, files.map(p -> p.getFileName() + "=" + p.toFile().length()).toList());
            }
        }
    }

    @Test
    @Order(2)
    void secondPoolUploadsNothing() throws Exception {
        Map<Integer, Long> warm = new ConcurrentHashMap<>();
        long t = System.nanoTime();
        ComputePool pool = pool(hosts.all(), warm).build();
        try {
            Duration ready = Duration.ofNanos(System.nanoTime() - t);
            log.info("MEASURED 4-host pool ready, warm cache: {} ms; bytes uploaded per node: {}", ready.toMillis(), warm);
            assertThat(pool.broadcast(ctx -> ctx.rank())).containsExactly(0, 1, 2, 3);
        } finally {
            long c = System.nanoTime();
            pool.close();
            log.info("MEASURED 4-host pool close(): {} ms", (System.nanoTime() - c) / 1_000_000);
        }
        assertThat(warm).hasSize(4);
        assertThat(warm.values()).containsOnly(0L);
    }

    @Test
    @Order(3)
    void torchGlooAllReduceAcrossTwoSshHosts() throws Exception {
        String script = String.join("\n",
                "import os, torch, torch.distributed as dist",
                "dist.init_process_group('gloo', init_method='env://')",
                "t = torch.tensor([float(os.environ['RANK']) + 1.0])",
                "dist.all_reduce(t)",
                "print('SUM', t.item(), os.environ['MASTER_ADDR'], dist.get_world_size())",
                "dist.destroy_process_group()");
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        try (ComputePool pool = pool(List.of(hosts.get(0), hosts.get(1)), new ConcurrentHashMap<>())
                .masterPort(port).env("GLOO_SOCKET_IFNAME", "lo").build()) {
            List<String> out = pool.broadcast(ctx -> {
                Process p = ctx.process("/usr/bin/python3", "-c", script).redirectErrorStream(true).start();
                String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("python failed: " + text);
                }
                return text.lines().filter(l -> l.startsWith("SUM")).findFirst().orElse(text);
            });
            assertThat(out).containsOnly("SUM 3.0 127.0.0.2 2");
        }
    }

    @Test
    @Order(4)
    void aTaskInFlightWhenTheSshConnectionIsCutCompletesAfterTheReconnect() throws Exception {
        SshHost h = hosts.get(1);
        try (ComputePool pool = pool(List.of(hosts.get(0), h), new ConcurrentHashMap<>()).build()) {
            CompletableFuture<String> slow = pool.node(1).submit(ctx -> {
                Thread.sleep(4000);
                return "done";
            });
            Thread.sleep(1000);
            assertThat(h.killConnections()).isPositive();
            // The tunnel re-opens on the same local port, a new session attaches, the agent still knows
            // the task, and its result arrives on the new session.
            assertThat(slow.get(30, TimeUnit.SECONDS)).isEqualTo("done");
            int again = pool.node(1).run(ctx -> ctx.rank());
            assertThat(again).isEqualTo(1);
            // The other node is unaffected.
            int rank = pool.node(0).run(ctx -> ctx.rank());
            assertThat(rank).isZero();
        }
        // close() reconnected to clean up: the @AfterEach check covers the cut host too.
    }

    @Test
    @Order(5)
    void wrongKeyAndChangedHostKeyFailFastBeforeAnythingStarts() throws Exception {
        Path otherKey = hosts.scratch("wrong").resolve("id_ed25519");
        new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", otherKey.toString()).start().waitFor();
        SshHost h = hosts.get(2);
        long t = System.nanoTime();
        assertThatThrownBy(() -> ComputePool.builder().console(false).provider(Ssh.builder().knownHosts(hosts.knownHosts())
                .identity(otherKey).host(h.address(), h.port(), h.user()).build()).build())
                .isInstanceOf(PoolConfigurationException.class).hasMessageContaining("login refused")
                .hasMessageContaining(h.user());
        assertThat(Duration.ofNanos(System.nanoTime() - t)).isLessThan(Duration.ofSeconds(10));

        SshHost changed = hosts.get(3);
        changed.changeHostKey();
        try {
            t = System.nanoTime();
            assertThatThrownBy(() -> pool(List.of(changed), new ConcurrentHashMap<>()).build())
                    .isInstanceOf(PoolConfigurationException.class).hasMessageContaining("HOST KEY MISMATCH");
            assertThat(Duration.ofNanos(System.nanoTime() - t)).isLessThan(Duration.ofSeconds(10));
        } finally {
            hosts.writeKnownHosts();
        }
    }

    @Test
    @Order(6)
    void gpusAreDiscoveredAndAMissingAcceleratorFailsBeforeBootstrapping() throws Exception {
        SshHost gpu = hosts.get(0);
        gpu.fakeGpus("NVIDIA A100-SXM4-40GB, 40960", "NVIDIA A100-SXM4-40GB, 40960");
        try {
            assertThatThrownBy(() -> pool(List.of(gpu, hosts.get(1)), new ConcurrentHashMap<>()).accelerator("A100").build())
                    .isInstanceOf(PoolConfigurationException.class)
                    .hasMessageContaining("2x NVIDIA A100-SXM4-40GB (A100:2)")
                    .hasMessageContaining(hosts.get(1) + ": no GPU");
            try (ComputePool pool = pool(List.of(gpu), new ConcurrentHashMap<>()).accelerator("A100:2").build()) {
                String acc = pool.run(ctx -> ctx.accelerator().toString() + "/" + ctx.accelerator().memoryGiB()
                        + "/" + System.getenv("GPUS_PER_NODE"));
                assertThat(acc).isEqualTo("A100:2/40/2");
            }
            try (ComputePool pool = pool(List.of(gpu), new ConcurrentHashMap<>()).build()) {
                String acc = pool.run(ctx -> ctx.accelerator().toString());
                assertThat(acc).as("discovered without asking").isEqualTo("A100:2");
            }
        } finally {
            Files.deleteIfExists(gpu.home().resolve(".ssh/environment"));
        }
    }

    @Test
    @Order(7)
    void deadMansSwitchEndsAgentsWhenTheClientJvmIsKilled() throws Exception {
        List<SshHost> two = List.of(hosts.get(2), hosts.get(3));
        long graceMs = 5000; // a cold client JVM on a loaded machine needs a few seconds between agent start and first heartbeat
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DeadClient.class.getName(),
                hosts.knownHosts().toString(), hosts.clientKey().toString(), Long.toString(graceMs)));
        two.forEach(h -> cmd.add(h.user() + "@" + h.address() + ":" + h.port()));
        Process client = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = out.readLine()) != null && !line.startsWith("READY")) {
                seen.append(line).append('\n');
            }
            assertThat(line).as("client output:\n" + seen).startsWith("READY");
            for (SshHost h : two) {
                assertThat(h.javaProcesses()).as("agent on " + h).hasSize(1);
            }
            client.destroyForcibly(); // SIGKILL: no shutdown hooks, no close()
            client.waitFor(10, TimeUnit.SECONDS);
            long killed = System.nanoTime();
            long deadline = killed + Duration.ofMillis(graceMs + 6000).toNanos();
            while (System.nanoTime() < deadline && two.stream().anyMatch(h -> {
                try {
                    return !h.javaProcesses().isEmpty();
                } catch (IOException e) {
                    return true;
                }
            })) {
                Thread.sleep(100);
            }
            log.info("MEASURED agents gone {} ms after the client was killed (grace {} ms)",
                    (System.nanoTime() - killed) / 1_000_000, graceMs);
            for (SshHost h : two) {
                assertThat(h.javaProcesses()).as("agent on " + h + " after the grace").isEmpty();
            }
        } finally {
            client.destroyForcibly();
        }
    }
}
