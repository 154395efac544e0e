package dev.skyward.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machine-level dead-man's switch: when the client dies, its nodes' agents stop hearing from it,
 * run the provider's expiry command (a shutdown), and the instance's shutdown behaviour (terminate)
 * ends it. On the fake, "shutdown" is a stand-in that tells moto the OS went down.
 */
@Timeout(180)
class AwsExpiryTest {

    private static final Logger log = LoggerFactory.getLogger(AwsExpiryTest.class);

    static MotoCloud cloud;

    @BeforeAll
    static void start() throws Exception {
        cloud = MotoCloud.start();
    }

    @AfterAll
    static void stop() {
        if (cloud != null) {
            cloud.close();
        }
    }

    @Test
    void instancesOfAKilledClientShutThemselvesDownAndEndTerminated() throws Exception {
        long graceMs = 5000;
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DeadClient.class.getName(),
                cloud.moto.endpoint().toString(), cloud.vpcId, cloud.hosts.loginsFile().toString(),
                Long.toString(graceMs));
        Process client = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String poolId;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("READY")) {
                seen.append(line).append('\n');
            }
            assertThat(line).as("client output:\n" + seen).startsWith("READY").endsWith(" 2");
            poolId = line.split(" ")[1];
            List<String> ids = cloud.instances(poolId, "running").stream().map(i -> i.instanceId()).toList();
            assertThat(ids).hasSize(2);

            client.destroyForcibly(); // SIGKILL: no close(), no shutdown hook, nobody terminates anything
            client.waitFor(10, TimeUnit.SECONDS);
            long killed = System.nanoTime();
            long deadline = killed + Duration.ofMillis(graceMs + 40_000).toNanos();
            while (System.nanoTime() < deadline
                    && !cloud.instances(poolId, "pending", "running", "shutting-down", "stopping", "stopped").isEmpty()) {
                Thread.sleep(200);
            }
            log.info("MEASURED instances terminated {} ms after the client was killed (grace {} ms)",
                    (System.nanoTime() - killed) / 1_000_000, graceMs);
            assertThat(cloud.moto.ec2().describeInstances(b -> b.instanceIds(ids)).reservations().stream()
                    .flatMap(r -> r.instances().stream()).map(i -> i.state().nameAsString()))
                    .as("the instances after their agents expired").containsExactly("terminated", "terminated");
            assertThat(cloud.hosts.awaitNoHosts(Duration.ofSeconds(15))).isEmpty();
        } finally {
            client.destroyForcibly();
        }
        // What the dead client could not delete (its group and key cost nothing) goes with a later terminate.
        assertThat(cloud.moto.ec2().describeSecurityGroups(b -> b.filters(f -> f.name("tag:" + Aws.POOL_TAG)
                .values(poolId))).securityGroups()).hasSize(1);
        try (Aws aws = cloud.aws().build()) {
            aws.terminate(poolId);
        }
        cloud.assertNothingLeft(poolId);
    }
}
