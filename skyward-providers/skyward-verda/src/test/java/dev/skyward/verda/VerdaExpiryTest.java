package dev.skyward.verda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.testkit.Leaks;
import dev.skyward.testkit.hosts.CloudHosts;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The machine-level dead-man's switch: a client JVM (started as users start it, no JVM flags) is
 * killed with SIGKILL mid-pool; its node's agent notices the heartbeats stopped and runs the expiry
 * command. With a self-destruct grant the node deletes its own instance through the API; without one it
 * powers off (the fake hosts' {@code poweroff} is a stand-in that asks the fake to shut the instance
 * down: tests never power this machine off), and the next client deletes the shut-down instance.
 */
@Timeout(120)
class VerdaExpiryTest {

    static CloudHosts hosts;
    static FakeVerda fake;

    @BeforeAll
    static void start() throws Exception {
        hosts = CloudHosts.start("vde");
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

    /** Starts the client, waits for its pool, kills it with SIGKILL; returns the pool id and its output. */
    private static String[] startAndKill(String selfDestruct) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process client = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-cp", cp,
                DeadClientMain.class.getName(), fake.baseUrl(), selfDestruct).redirectErrorStream(true).start();
        List<String> output = new ArrayList<>();
        CompletableFuture<String> poolLine = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(client.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    synchronized (output) {
                        output.add(line);
                    }
                    if (line.startsWith("POOL ")) {
                        poolLine.complete(line);
                    }
                }
            } catch (java.io.IOException e) {
                poolLine.completeExceptionally(e);
            }
            poolLine.completeExceptionally(new AssertionError("client ended without a pool"));
        });
        reader.start();
        String line;
        try {
            line = poolLine.get(90, TimeUnit.SECONDS);
        } catch (Exception e) {
            client.destroyForcibly();
            synchronized (output) {
                throw new AssertionError("client output:\n" + String.join("\n", output), e);
            }
        }
        assertThat(fake.statuses().values()).containsExactly("running");
        client.destroyForcibly(); // SIGKILL: no shutdown hook, no close
        assertThat(client.waitFor(10, TimeUnit.SECONDS)).isTrue();
        reader.join(5000);
        synchronized (output) {
            return new String[] {line.split(" ")[1], String.join("\n", output)};
        }
    }

    private static void await(java.util.function.BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                for (var h : hosts.live()) {
                    try (var files = java.nio.file.Files.walk(h.home())) {
                        for (var f : files.filter(java.nio.file.Files::isRegularFile)
                                .filter(f -> f.toString().endsWith(".log") || f.toString().contains("agent.out")).toList()) {
                            String text = java.nio.file.Files.readString(f);
                            System.err.println("HOSTLOG " + f + ":\n" + text.substring(Math.max(0, text.length() - 3000)));
                        }
                    } catch (java.io.IOException e) {
                        System.err.println("HOSTLOG cannot read " + h.home() + ": " + e);
                    }
                }
                throw new AssertionError("timed out waiting until " + what + "; instances: " + fake.statuses());
            }
            Thread.sleep(200);
        }
    }

    @Test
    void aKilledClientsNodeDeletesItsOwnInstanceWithTheGrantedCredentials() throws Exception {
        String[] pool = startAndKill("grant");
        int before = fake.requests().size();
        await(() -> fake.instanceIds().isEmpty(), "the node deleted its own instance");
        assertThat(fake.requests().subList(before, fake.requests().size()))
                .contains("POST /v1/oauth2/token", "PUT /v1/instances");
        assertThat(pool[1]).as("the client never logged a secret").doesNotContain(FakeVerda.CLIENT_SECRET);
        assertThat(fake.issuedTokens()).isNotEmpty()
                .allSatisfy(t -> assertThat(pool[1]).as("the client never logged a token").doesNotContain(t));
        // The pool's key is not billed; the next client that knows the pool id removes it.
        assertThat(fake.keyCount()).isEqualTo(1);
        VerdaPoolTest.verdaOn(fake).build().terminate(pool[0]);
        Leaks.assertNothingLeft(pool[0], List.of());
    }

    @Test
    void withoutAGrantTheNodePowersOffAndTheNextClientDeletesTheShutDownInstance() throws Exception {
        String[] pool = startAndKill("none");
        await(() -> fake.statuses().values().stream().allMatch("offline"::equals), "the node powered off");
        // A shut-down Verda instance is still billed: the next client deletes what was left shut down.
        Verda next = VerdaPoolTest.verdaOn(fake).build();
        assertThat(next.deleteExpired()).hasSize(1);
        await(() -> fake.instanceIds().isEmpty(), "the shut-down instance is deleted");
        assertThat(fake.keyCount()).as("and the pool's key").isZero();
        Leaks.assertNothingLeft(pool[0], List.of());
    }
}
