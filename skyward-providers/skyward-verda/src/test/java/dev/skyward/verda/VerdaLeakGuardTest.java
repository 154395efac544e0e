package dev.skyward.verda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.PoolEvent;
import dev.skyward.console.ConsoleRenderer;
import dev.skyward.guard.ClientId;
import dev.skyward.guard.Ledger;
import dev.skyward.guard.Standing;
import dev.skyward.spi.OwnedInstance;
import dev.skyward.spi.Ownership;
import dev.skyward.testkit.Leaks;
import dev.skyward.testkit.hosts.CloudHosts;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The leak guard on Verda, which has no tags: a pool's instances carry their ownership in the
 * description marker; {@link Verda#ownedInstances()} finds every pool's; and {@code build()} reports the
 * instances of this user's expired pools (a client killed with SIGKILL whose lease ran out) and, with
 * {@code downExpired(true)}, terminates them before provisioning.
 */
@Timeout(240)
class VerdaLeakGuardTest {

    static CloudHosts hosts;
    static FakeVerda fake;

    @BeforeAll
    static void start() throws Exception {
        hosts = CloudHosts.start("vdg");
        fake = FakeVerda.start(hosts);
    }

    @AfterAll
    static void stop() {
        if (fake != null) {
            fake.close();
        }
        if (hosts != null) {
            hosts.close();
        }
    }

    @AfterEach
    void nothingLeft() {
        assertThat(fake.instanceIds()).isEmpty();
        assertThat(fake.keyCount()).isZero();
        HostsLeft.assertNone(hosts);
        assertThat(fake.violations()).isEmpty();
    }

    @Test
    void poolsCarryTheirOwnershipInTheDescriptionAndTheListingFindsEveryPool() throws Exception {
        Verda verda = VerdaPoolTest.verdaOn(fake).build();
        Instant before = Instant.now().minusSeconds(1);
        try (ComputePool capped = VerdaPoolTest.pool(verda, 1).maxNodeLifetime(Duration.ofHours(3)).build();
                ComputePool leased = VerdaPoolTest.pool(verda, 1).heartbeatGrace(Duration.ofSeconds(45)).build()) {
            assertThat(fake.createRequests()).extracting(r -> r.path("description").asText())
                    .anyMatch(d -> d.startsWith("skyward pool=" + capped.id() + " node=0 client=" + ClientId.current()
                            + " created=") && d.contains(" expires=") && d.endsWith(" lease=60"))
                    .anyMatch(d -> d.matches("skyward pool=" + leased.id() + " node=0 client=\\S+ created=\\d+ lease=45"));

            Map<String, OwnedInstance> byPool = verda.ownedInstances().stream()
                    .collect(Collectors.toMap(OwnedInstance::poolId, i -> i));
            assertThat(byPool).containsOnlyKeys(capped.id(), leased.id());
            OwnedInstance c = byPool.get(capped.id());
            assertThat(c.ownership().clientId()).isEqualTo(ClientId.current());
            assertThat(c.ownership().expires()).isBetween(before.plus(Duration.ofHours(3)),
                    Instant.now().plus(Duration.ofHours(3)));
            assertThat(c.instanceType()).isEqualTo("1H100.80S.30V");
            assertThat(c.hourlyPrice()).isEqualTo(1.99);
            assertThat(c.launched()).isAfter(before);
            OwnedInstance l = byPool.get(leased.id());
            assertThat(l.ownership().expires()).isNull();
            assertThat(l.ownership().lease()).isEqualTo(Duration.ofSeconds(45));
            Ledger ledger = Ledger.standard();
            assertThat(Standing.of(l, ledger, Instant.now()))
                    .satisfies(s -> assertThat(s.client()).isEqualTo(Standing.Client.ALIVE))
                    .satisfies(s -> assertThat(s.expired()).isFalse());
            assertThat(ledger.find(capped.id())).hasValueSatisfying(e -> assertThat(e.nodes()).hasSize(1));
        }
        assertThat(verda.ownedInstances()).isEmpty();
        assertThat(Ledger.standard().entries()).noneMatch(e -> e.clientId().equals(ClientId.current()));
    }

    @Test
    void buildReportsAKilledClientsExpiredPoolAndTerminatesItWhenAsked() throws Exception {
        String dead = startAndKill();
        Verda verda = VerdaPoolTest.verdaOn(fake).build();
        Ledger ledger = Ledger.standard();
        await(() -> verda.ownedInstances().stream().anyMatch(i -> i.poolId().equals(dead)
                && Standing.of(i, ledger, Instant.now()).expired()), "the killed client's lease ran out");

        // Reported, not touched, without the flag.
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        try (ComputePool pool = VerdaPoolTest.pool(verda, 1).listener(events::add)
                .listener(new ConsoleRenderer(new PrintStream(console, true, StandardCharsets.UTF_8))).build()) {
            assertThat(pool.id()).isNotEqualTo(dead);
        }
        assertThat(events).filteredOn(PoolEvent.ExpiredPoolsFound.class::isInstance)
                .singleElement().satisfies(e -> {
                    PoolEvent.ExpiredPoolsFound f = (PoolEvent.ExpiredPoolsFound) e;
                    assertThat(f.terminating()).isFalse();
                    assertThat(f.instances()).extracting(OwnedInstance::poolId).containsOnly(dead);
                });
        assertThat(events).noneMatch(PoolEvent.ExpiredPoolTerminated.class::isInstance);
        String text = console.toString(StandardCharsets.UTF_8);
        System.out.println("CONSOLE:\n" + text);
        assertThat(text).contains("found 1 expired pool of yours").contains(dead + " on verda: 1 instance")
                .contains("skyward down --expired").contains(".downExpired(true)");
        assertThat(verda.ownedInstances()).extracting(OwnedInstance::poolId).containsOnly(dead);

        // Terminated before provisioning with the flag; its ledger entry goes with it.
        events.clear();
        try (ComputePool pool = VerdaPoolTest.pool(verda, 1).listener(events::add).downExpired(true).build()) {
            assertThat(verda.ownedInstances()).extracting(OwnedInstance::poolId).containsOnly(pool.id());
        }
        assertThat(events).filteredOn(e -> e instanceof PoolEvent.ExpiredPoolsFound f && f.terminating()).hasSize(1);
        assertThat(events).filteredOn(PoolEvent.ExpiredPoolTerminated.class::isInstance).singleElement()
                .isEqualTo(new PoolEvent.ExpiredPoolTerminated(events.get(0).poolId(), "verda", dead, null));
        assertThat(ledger.find(dead)).isEmpty();
        assertThat(verda.ownedInstances()).isEmpty();
        Leaks.assertNothingLeft(dead, List.of());
    }

    /** A client JVM (no flags) opens a pool, then is killed with SIGKILL: no close, no shutdown hook. */
    private static String startAndKill() throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process client = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-cp", cp,
                DeadClientMain.class.getName(), fake.baseUrl(), "none").redirectErrorStream(true).start();
        CompletableFuture<String> poolLine = new CompletableFuture<>();
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(client.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    if (line.startsWith("POOL ")) {
                        poolLine.complete(line.split(" ")[1]);
                    }
                }
            } catch (java.io.IOException e) {
                poolLine.completeExceptionally(e);
            }
            poolLine.completeExceptionally(new AssertionError("client ended without a pool"));
        });
        reader.start();
        try {
            String id = poolLine.get(120, TimeUnit.SECONDS);
            assertThat(Ledger.standard().find(id)).as("the client's pool is in the ledger").isPresent();
            return id;
        } catch (Exception e) {
            synchronized (output) {
                throw new AssertionError("client output:\n" + output, e);
            }
        } finally {
            client.destroyForcibly(); // SIGKILL
            client.waitFor(10, TimeUnit.SECONDS);
            reader.join(5000);
        }
    }

    private static void await(java.util.function.BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what + "; instances: " + fake.statuses());
            }
            Thread.sleep(250);
        }
    }
}
