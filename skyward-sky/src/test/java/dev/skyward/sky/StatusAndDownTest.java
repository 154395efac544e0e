package dev.skyward.sky;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.OutputListener;
import dev.skyward.guard.Ledger;
import dev.skyward.guard.Standing;
import dev.skyward.spi.OwnedInstance;
import dev.skyward.verda.DeadClientMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code skyward status} and {@code skyward down}, run as users run them (a child JVM with no flags, the
 * clouds configured from the environment only), against the fake clouds: pools of live clients and of
 * clients killed with SIGKILL, on one cloud and on all three at once. Every test ends with nothing left
 * on any cloud and no entry left in the ledger.
 */
@Timeout(300)
class StatusAndDownTest {

    static Clouds clouds;

    @BeforeAll
    static void start() throws Exception {
        clouds = Clouds.start();
    }

    @AfterAll
    static void stop() {
        if (clouds != null) {
            clouds.close();
        }
    }

    @AfterEach
    void nothingLeftAnywhere() {
        clouds.reset();
        clouds.assertNothingLeftAnywhere();
        assertThat(Ledger.standard().entries()).as("ledger entries").isEmpty();
    }

    record Cli(int code, String output) {
    }

    /** {@code skyward ARGS} in a JVM started with no flags, the fakes' endpoints in its environment. */
    static Cli skyward(String... args) throws IOException, InterruptedException {
        return skyward(environment(), args);
    }

    /** {@code skyward ARGS} in a JVM started with no flags and this cloud environment. */
    static Cli skyward(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java", "-cp", cp,
                "dev.skyward.cli.SkywardCli"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("DIGITALOCEAN_")
                || k.startsWith("VERDA_") || k.startsWith("DATACRUNCH_"));
        pb.environment().putAll(environment);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        System.out.println("$ skyward " + String.join(" ", args) + "\n" + out + "(exit " + p.exitValue() + ")");
        return new Cli(p.exitValue(), out);
    }

    static Map<String, String> environment() {
        return environmentOf(clouds);
    }

    /** What a program or the CLI needs in its environment to reach these fakes, and nothing else. */
    static Map<String, String> environmentOf(Clouds clouds) {
        Map<String, String> env = new HashMap<>();
        env.putAll(clouds.aws.cliEnvironment());
        env.putAll(clouds.digitalOcean.cliEnvironment());
        env.putAll(clouds.verda.cliEnvironment());
        env.put("AWS_CONFIG_FILE", "/dev/null");
        env.put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        return env;
    }

    /** Starts a client JVM (no flags) that says its pool, then kills it with SIGKILL. */
    static String startAndKill(List<String> command) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java", "-cp", cp));
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(environment());
        Process client = pb.start();
        CompletableFuture<String> pool = new CompletableFuture<>();
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(client.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    if (line.startsWith("POOL ")) {
                        pool.complete(line.split(" ")[1]);
                    }
                }
            } catch (IOException e) {
                pool.completeExceptionally(e);
            }
            pool.completeExceptionally(new AssertionError("client ended without a pool"));
        });
        reader.start();
        try {
            return pool.get(150, TimeUnit.SECONDS);
        } catch (Exception e) {
            synchronized (output) {
                throw new AssertionError("client output:\n" + output, e);
            }
        } finally {
            client.destroyForcibly(); // SIGKILL: no close, no shutdown hook
            client.waitFor(10, TimeUnit.SECONDS);
            reader.join(5000);
        }
    }

    static String killedVerdaPool() throws Exception {
        return startAndKill(List.of(DeadClientMain.class.getName(), clouds.verda.baseUrl(), "none"));
    }

    static void awaitExpired(String poolId) throws InterruptedException {
        Ledger ledger = Ledger.standard();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            List<OwnedInstance> all = new ArrayList<>();
            for (var p : clouds.all()) {
                all.addAll(p.ownedInstances());
            }
            if (all.stream().anyMatch(i -> i.poolId().equals(poolId) && Standing.of(i, ledger, Instant.now()).expired())) {
                return;
            }
            assertThat(System.nanoTime()).as("pool " + poolId + " expires").isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    @Test
    void statusShowsALivePoolAndDownRemovesKilledClientsPoolsNamedOrExpiredButNeverALiveOne() throws Exception {
        String first = killedVerdaPool();
        String second = killedVerdaPool();
        try (ComputePool live = ComputePool.builder().console(false).output(OutputListener.SILENT)
                .provider(clouds.digitalOcean()).accelerator("H100").heartbeatGrace(Duration.ofMinutes(5))
                .provisionTimeout(Duration.ofMinutes(2)).build()) {
            Cli status = skyward("status", "--provider", "digitalocean,verda");
            assertThat(status.code()).as(status.output()).isZero();
            assertThat(status.output()).containsPattern(live.id() + " +digitalocean +\\d+ +gpu-h100x1-80gb +\\S+ +running +\\d+s +3\\.39 +alive +no")
                    .containsPattern(first + " +verda +\\S+ +1H100.80S.30V +FIN-03 +\\S+ +\\d+s +1\\.99 +dead")
                    .contains(second).contains("3 instances in 3 pools, $7.37/h")
                    .contains("open pools in this machine's ledger:");

            Cli named = skyward("down", first);
            assertThat(named.code()).as(named.output()).isZero();
            assertThat(named.output()).contains("terminating " + first + " on verda (1 instance)")
                    .contains(first + " on verda: gone (verified)").doesNotContain(second + " on verda");
            assertThat(clouds.verda.statuses()).hasSize(1);
            assertThat(Ledger.standard().find(first)).isEmpty();

            awaitExpired(second);
            Cli expired = skyward("down", "--expired", "--provider", "digitalocean,verda");
            assertThat(expired.code()).as(expired.output()).isZero();
            assertThat(expired.output()).contains(second + " on verda: gone (verified)").doesNotContain(live.id());
            assertThat(clouds.verda.statuses()).isEmpty();
            assertThat(clouds.digitalOcean.droplets()).as("the live pool is untouched").hasSize(1);

            Cli unknown = skyward("down", "no-such-pool-123", "--provider", "verda");
            assertThat(unknown.code()).isEqualTo(1);
            assertThat(unknown.output()).contains("pool no-such-pool-123: no instance found on verda");
        }
        Cli usage = skyward("down");
        assertThat(usage.code()).isEqualTo(2);
        Cli empty = skyward("status", "--provider", "aws,digitalocean,verda");
        assertThat(empty.output()).contains("no Skyward instances found");
    }

    @Test
    void checkFindsEachCloudsCredentialsAndSaysWhatToSetForOneThatHasNone() throws Exception {
        Cli all = skyward("check", "--provider", "aws,digitalocean,verda");
        assertThat(all.code()).as(all.output()).isZero();
        assertThat(all.output()).containsPattern("(?m)^aws +ok ").containsPattern("(?m)^digitalocean +ok ")
                .containsPattern("(?m)^verda +ok ");

        Map<String, String> noToken = new HashMap<>(environment());
        noToken.keySet().removeIf(k -> k.startsWith("DIGITALOCEAN_"));
        Cli missing = skyward(noToken, "check", "--provider", "aws,digitalocean,verda");
        assertThat(missing.code()).as("one usable cloud is enough: " + missing.output()).isZero();
        assertThat(missing.output()).containsPattern("(?m)^digitalocean +missing .*DIGITALOCEAN_TOKEN")
                .containsPattern("(?m)^aws +ok ").containsPattern("(?m)^verda +ok ");
    }

    @Test
    void statusAndDownAcrossAllThreeClouds() throws Exception {
        // Killed right after provisioning on all three clouds, with a lease of 5 minutes still to run.
        String pool = startAndKill(List.of(LaunchingClient.class.getName(), "sky-" + System.nanoTime() % 100000, "300",
                "aws", "digitalocean", "verda"));
        Cli status = skyward("status");
        assertThat(status.code()).as(status.output()).isZero();
        assertThat(status.output()).containsPattern(pool + " +aws +us-east-1/i-\\S+ +p5.4xlarge +us-east-1 ")
                .containsPattern(pool + " +digitalocean +\\d+ +gpu-h100x1-80gb ")
                .containsPattern(pool + " +verda +\\S+ +1H100.80S.30V ")
                .containsPattern("dead +no +client pid \\d+ gone, lease runs out in")
                .contains("3 instances in 1 pool, $12.26/h");

        Cli expired = skyward("down", "--expired");
        assertThat(expired.code()).as(expired.output()).isZero();
        assertThat(expired.output()).contains("no expired pools");
        assertThat(clouds.leftovers()).as("a lease still running is not expired").isNotEmpty();

        Cli all = skyward("down", "--all");
        assertThat(all.code()).as(all.output()).isZero();
        assertThat(all.output()).contains(pool + " on aws: gone (verified)")
                .contains(pool + " on digitalocean: gone (verified)").contains(pool + " on verda: gone (verified)");
        assertThat(clouds.leftovers()).isEmpty();
        assertThat(Ledger.standard().find(pool)).isEmpty();
        Cli after = skyward("status", "--provider", "aws,digitalocean,verda");
        assertThat(after.output()).contains("no Skyward instances found");
    }
}
