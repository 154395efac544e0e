package dev.skyward.digitalocean;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.testkit.hosts.CloudHosts;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The machine-level dead-man's switch: a client JVM is killed with SIGKILL while its DigitalOcean pool
 * is open, and within the heartbeat grace the nodes act on expiry. A powered-off droplet is still
 * billed, so the droplets must end destroyed: by the nodes themselves when a self-destruct token was
 * granted, else by {@link DigitalOcean#deleteExpired()} after they powered off.
 */
class DigitalOceanExpiryTest {

    private static final String TOKEN = "dop_v1_client";
    private static final String SELF_DESTRUCT = "dop_v1_delete_only";
    private static final long GRACE_MS = 5000;
    private static CloudHosts hosts;
    private static FakeDigitalOcean fake;

    @BeforeAll
    static void start() throws Exception {
        hosts = CloudHosts.start("doe");
        fake = FakeDigitalOcean.start(hosts, TOKEN);
        fake.acceptToken(SELF_DESTRUCT);
    }

    @AfterAll
    static void stop() {
        fake.close();
        hosts.close();
    }

    @AfterEach
    void nothingLeft() {
        assertThat(fake.violations()).as("spec violations").isEmpty();
        assertThat(fake.droplets()).as("droplets left (billed)").isEmpty();
        assertThat(fake.keyCount()).as("ssh keys left").isZero();
        assertThat(hosts.leftovers()).as("host leftovers").isEmpty();
    }

    @Test
    void withASelfDestructTokenTheNodesOfAKilledClientDestroyTheirOwnDroplets() throws Exception {
        Process client = startClient(SELF_DESTRUCT);
        try {
            awaitReady(client);
            assertThat(fake.droplets()).hasSize(2).allSatisfy(d -> assertThat(d.status()).isEqualTo("active"));
            assertThat(fake.keyCount()).isEqualTo(1);
        } finally {
            client.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        long killed = System.nanoTime();
        await(() -> fake.droplets().isEmpty(), Duration.ofMillis(GRACE_MS).plusSeconds(30));
        assertThat(Duration.ofNanos(System.nanoTime() - killed)).as("acted on expiry after the grace, not before")
                .isGreaterThan(Duration.ofMillis(GRACE_MS - 1000));
        List<String> destroys = fake.requests().stream()
                .filter(r -> r.endsWith("/destroy_with_associated_resources/dangerous")).toList();
        assertThat(destroys).as("each node destroyed its own droplet").hasSize(2);
        await(() -> hosts.leftovers().isEmpty(), Duration.ofSeconds(10));
    }

    @Test
    void withoutATokenTheNodesPowerOffAndDeleteExpiredDestroysThePoweredOffDroplets() throws Exception {
        Process client = startClient("-");
        try {
            awaitReady(client);
            assertThat(fake.droplets()).hasSize(2);
        } finally {
            client.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // Powered off: the machines stop, the droplets stay (still billed).
        await(() -> fake.droplets().stream().allMatch(d -> d.status().equals("off")), Duration.ofMillis(GRACE_MS)
                .plusSeconds(30));
        assertThat(fake.droplets()).hasSize(2);

        DigitalOcean next = DigitalOcean.builder().token(TOKEN).baseUrl(fake.baseUrl()).login(fake::login)
                .pollInterval(Duration.ofMillis(200)).build();
        assertThat(next.deleteExpired()).hasSize(2);
        assertThat(fake.droplets()).isEmpty();
        await(() -> hosts.leftovers().isEmpty(), Duration.ofSeconds(10));
    }

    private static Process startClient(String selfDestruct) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DeadDigitalOceanClient.class.getName(),
                fake.baseUrl(), TOKEN, selfDestruct, Long.toString(GRACE_MS), "2");
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Reads the client's output until READY (and keeps draining it, so it never blocks). */
    private static void awaitReady(Process client) throws Exception {
        CompletableFuture<String> ready = new CompletableFuture<>();
        StringBuilder seen = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(client.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    synchronized (seen) {
                        seen.append(line).append('\n');
                    }
                    if (line.startsWith("READY ")) {
                        ready.complete(line.substring(6));
                    }
                }
            } catch (Exception ignored) {
                // the client was killed
            }
            ready.complete(null);
        }, "dead-client-output");
        reader.setDaemon(true);
        reader.start();
        String pool = ready.get(180, TimeUnit.SECONDS);
        synchronized (seen) {
            assertThat(pool).as("client output:\n" + seen).isNotNull();
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within " + timeout).isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
