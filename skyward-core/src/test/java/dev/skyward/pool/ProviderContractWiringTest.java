package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.Accelerator;
import dev.skyward.ComputePool;
import dev.skyward.PoolConfigurationException;
import dev.skyward.PoolEvent;
import dev.skyward.PoolState;
import dev.skyward.ProvisioningException;
import dev.skyward.SkywardException;
import dev.skyward.offer.ScriptedProvider;
import dev.skyward.offer.ScriptedProvider.Step;
import dev.skyward.spi.Instance;
import dev.skyward.spi.InstanceStatus;
import dev.skyward.spi.LaunchRequest;
import dev.skyward.spi.NodeAccess;
import dev.skyward.spi.Offer;
import dev.skyward.spi.OfferQuery;
import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderCheck;
import dev.skyward.spi.ProviderException;
import dev.skyward.spi.SshEndpoint;
import dev.skyward.testkit.hosts.SshHost;
import dev.skyward.testkit.hosts.SshHosts;
import dev.skyward.testkit.Leaks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a provider declares through the SPI and the engine honours, with no knowledge of the
 * provider's type: how its nodes are reached ({@link NodeAccess}), what they run on expiry, when a
 * launched instance counts as ready, lookup by name, and a failed start ending CLOSED.
 */
@Timeout(120)
class ProviderContractWiringTest {

    static SshHosts hosts;

    @BeforeAll
    static void startHosts() throws IOException {
        hosts = SshHosts.start(1);
    }

    @AfterAll
    static void stopHosts() {
        if (hosts != null) {
            hosts.close();
        }
    }

    @Test
    void aCloudLikeProvidersNodeIsReachedWithThePoolKeyCheckedAgainstTheHostKeyItReportedAndRunsItsExpiryCommand()
            throws Exception {
        SshHost host = hosts.get(0);
        Path marker = host.home().resolve("expired-" + System.nanoTime());
        var box = new OneHostCloud(host, List.of(hostKey(host)),
                "echo \"expired: $SKYWARD_POOL_ID\" > " + marker);
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        String poolId;
        try (ComputePool pool = ComputePool.builder().console(false).provider(box).listener(events::add)
                .maxNodeLifetime(Duration.ofSeconds(8)).build()) {
            poolId = pool.id();
            // The launch returned a PENDING instance without an address: the engine waited for describe.
            assertThat(box.describes.get()).isPositive();
            String user = pool.run(ctx -> System.getProperty("user.name"));
            assertThat(user).isEqualTo(host.user());
            // The pool's own key logged in: the provider put its public half in authorized_keys.
            assertThat(box.installedKey).startsWith("ssh-ed25519 ").contains("skyward-" + poolId);

            // The node's TTL fires and its agent runs the command the provider declared.
            awaitFile(marker, Duration.ofSeconds(30));
            assertThat(Files.readString(marker).trim()).isEqualTo("expired: " + poolId);
        }
        Leaks.awaitNoAgents(poolId, Duration.ofSeconds(10));
        assertThat(host.javaProcesses()).isEmpty();
        assertThat(Files.readString(host.home().resolve(".ssh/authorized_keys"))).doesNotContain("skyward-" + poolId);
        assertThat(box.describe(poolId)).isEmpty();
        Files.deleteIfExists(marker);
    }

    @Test
    void aHostPresentingAnotherKeyThanTheProviderReportedIsRefusedAndTheFailedPoolEndsClosed() throws Exception {
        SshHost host = hosts.get(0);
        // A valid key line, just not this host's.
        String other = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHcH1zHl7oTt6Bc5a2V6rN3V4xj1dQwT0cXJj6n2Yq9b other";
        var box = new OneHostCloud(host, List.of(other), null);
        List<PoolEvent> events = new CopyOnWriteArrayList<>();

        assertThatThrownBy(() -> ComputePool.builder().console(false).provider(box).listener(events::add)
                .provisionTimeout(Duration.ofSeconds(60)).build())
                .isInstanceOf(SkywardException.class)
                .hasMessageContaining("HOST KEY MISMATCH")
                .hasMessageContaining("the provider reported")
                .satisfies(e -> assertThat(e.getSuppressed()).isEmpty());

        assertThat(events).filteredOn(PoolEvent.StateChanged.class::isInstance)
                .extracting(e -> ((PoolEvent.StateChanged) e).to())
                .endsWith(PoolState.FAILED, PoolState.CLOSING, PoolState.CLOSED);
        assertThat(events).last().isInstanceOf(PoolEvent.Closed.class);
        assertThat(box.describe(box.lastPool)).isEmpty();
        assertThat(host.javaProcesses()).isEmpty();
    }

    @Test
    void aPoolThatCannotProvisionEndsClosedWithItsClosedEvent() {
        var a = new ScriptedProvider("a").offer("a1", null, 0, "r1", 1)
                .onLaunch("a1@r1", Step.fail(ProviderException.Kind.CAPACITY, "no room"));
        List<PoolEvent> events = new CopyOnWriteArrayList<>();

        assertThatThrownBy(() -> ComputePool.builder().console(false).provider(a).listener(events::add).build())
                .isInstanceOf(ProvisioningException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).isEmpty());

        assertThat(events).filteredOn(PoolEvent.StateChanged.class::isInstance)
                .extracting(e -> ((PoolEvent.StateChanged) e).to())
                .containsExactly(PoolState.PROVISIONING, PoolState.FAILED, PoolState.CLOSING, PoolState.CLOSED);
        assertThat(events).last().isInstanceOf(PoolEvent.Closed.class);
    }

    @Test
    void aProviderModuleIsFoundByNameAndAnUnknownNameSaysWhichAreThere() {
        String id;
        try (ComputePool pool = ComputePool.builder().console(false).provider("local").build()) {
            id = pool.id();
            int world = pool.run(ctx -> ctx.worldSize());
            assertThat(world).isEqualTo(1);
            assertThat(pool.nodes()).singleElement().extracting(n -> n.provider()).isEqualTo("local");
        }
        Leaks.assertNothingLeft(id, List.of());

        assertThatThrownBy(() -> ComputePool.builder().provider("digitalocaen"))
                .isInstanceOf(PoolConfigurationException.class)
                .hasMessageContaining("no provider named 'digitalocaen' on the classpath (found: [local")
                .hasMessageContaining("dev.skyward:skyward-digitalocaen");
    }

    private static String hostKey(SshHost host) throws IOException {
        String line = host.knownHostsLine();
        return line.substring(line.indexOf(' ') + 1);
    }

    private static void awaitFile(Path file, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(file).as("written by the node's expiry command").exists();
    }

    /**
     * A one-machine "cloud": launch installs the pool's key on the host and answers PENDING without
     * an address, as clouds do; describe then reports it running. Terminate removes the key and kills
     * what the pool left there.
     */
    private static final class OneHostCloud implements Provider {
        private final SshHost host;
        private final List<String> reportedHostKeys;
        private final String onExpire;
        private final Map<String, Instance> live = new ConcurrentHashMap<>();
        private final AtomicInteger describes = new AtomicInteger();
        private final String authorizedKeys;
        private volatile String installedKey;
        private volatile String lastPool;

        OneHostCloud(SshHost host, List<String> reportedHostKeys, String onExpire) throws IOException {
            this.host = host;
            this.reportedHostKeys = reportedHostKeys;
            this.onExpire = onExpire;
            this.authorizedKeys = Files.readString(host.home().resolve(".ssh/authorized_keys"));
        }

        @Override
        public String name() {
            return "box";
        }

        @Override
        public ProviderCheck check() {
            return ProviderCheck.ok("box", "test");
        }

        @Override
        public List<Offer> offers(OfferQuery query) {
            return List.of(new Offer("box", "m1", Accelerator.NONE, 2, 4, "lo", "", 0.01, Double.NaN, "x86_64"));
        }

        @Override
        public List<Instance> launch(LaunchRequest request) {
            lastPool = request.poolId();
            installedKey = request.sshPublicKey();
            try {
                Files.writeString(host.home().resolve(".ssh/authorized_keys"), authorizedKeys + installedKey + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Instance pending = new Instance("box-" + request.poolId(), "box", request.poolId(), 0,
                    InstanceStatus.PENDING, null, null, null);
            live.put(request.poolId(), pending);
            return List.of(pending);
        }

        @Override
        public List<Instance> describe(String poolId) {
            describes.incrementAndGet();
            Instance i = live.get(poolId);
            if (i == null) {
                return List.of();
            }
            Instance running = new Instance(i.id(), "box", poolId, 0, InstanceStatus.RUNNING, host.address(),
                    host.address(), new SshEndpoint(host.address(), host.port(), host.user()));
            live.put(poolId, running);
            return List.of(running);
        }

        @Override
        public NodeAccess access(Instance instance) {
            return NodeAccess.poolKey().withKnownHostKeys(reportedHostKeys).withBannerWait(Duration.ofSeconds(10))
                    .withOnExpire(onExpire);
        }

        @Override
        public void terminate(String poolId) {
            try {
                Files.writeString(host.home().resolve(".ssh/authorized_keys"), authorizedKeys);
                for (long pid : host.processes("skyward-agent")) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            live.remove(poolId);
        }
    }

}
