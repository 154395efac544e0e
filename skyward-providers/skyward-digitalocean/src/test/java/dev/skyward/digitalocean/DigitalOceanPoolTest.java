package dev.skyward.digitalocean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.ComputePool;
import dev.skyward.NodeInfo;
import dev.skyward.OutputListener;
import dev.skyward.PoolState;
import dev.skyward.SkywardException;
import dev.skyward.testkit.hosts.CloudHosts;
import dev.skyward.testkit.hosts.SshHost;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pools on DigitalOcean end to end, against the cloud-in-a-box fake: API → droplet → SSH → agent →
 * tasks → close, and failover when a region has no capacity.
 */
class DigitalOceanPoolTest {

    private static final String TOKEN = "dop_v1_pool";
    private static CloudHosts hosts;
    private static FakeDigitalOcean fake;

    @BeforeAll
    static void start() throws Exception {
        hosts = CloudHosts.start("dop");
        fake = FakeDigitalOcean.start(hosts, TOKEN);
        fake.perPage(1);
    }

    @AfterAll
    static void stop() {
        fake.close();
        hosts.close();
    }

    @AfterEach
    void nothingLeftAndEveryCallFollowedTheSpec() {
        try {
            assertThat(fake.violations()).as("spec violations").isEmpty();
            assertThat(fake.droplets()).as("droplets left (billed)").isEmpty();
            assertThat(fake.keyCount()).as("ssh keys left on the account").isZero();
            assertThat(hosts.leftovers()).as("host sshd, users or processes left").isEmpty();
        } finally {
            fake.clearInjections();
            fake.clearViolations();
            fake.dropletLimit(25);
        }
    }

    private static DigitalOcean.Builder provider() {
        return DigitalOcean.builder().token(TOKEN).baseUrl(fake.baseUrl()).login(fake::login)
                .pollInterval(Duration.ofMillis(200)).deleteTimeout(Duration.ofSeconds(60));
    }

    private static ComputePool.Builder pool(DigitalOcean provider, int nodes) {
        return ComputePool.builder().provider(provider).accelerator("H100").nodes(nodes).console(false)
                .output(OutputListener.SILENT).provisionTimeout(Duration.ofMinutes(3));
    }

    @Test
    void twoDropletsRunTasksAndLeaveNothingWhenClosed() throws Exception {
        ComputePool pool = pool(provider().regions("tor1").build(), 2).build();
        List<SshHost> machines = new java.util.ArrayList<>();
        try {
            assertThat(pool.nodes()).extracting(NodeInfo::provider).containsOnly("digitalocean");
            assertThat(pool.broadcast(ctx -> ctx.rank())).containsExactly(0, 1);
            assertThat(pool.map(List.of(1, 2, 3, 4), (ctx, x) -> x * x)).containsExactly(1, 4, 9, 16);
            List<FakeDigitalOcean.FakeDroplet> droplets = fake.droplets();
            assertThat(droplets).hasSize(2).allSatisfy(d -> {
                assertThat(d.status()).isEqualTo("active");
                assertThat(d.region).isEqualTo("tor1");
                assertThat(d.image).isEqualTo("gpu-h100x1-base");
                assertThat(d.tags()).contains("skyward", DropletNaming.poolTag(pool.id()));
            });
            // The agents really run on the droplets' hosts, as each host's own user.
            for (FakeDigitalOcean.FakeDroplet d : droplets) {
                SshHost h = d.host();
                assertThat(h.javaProcesses()).as("agent on " + h).isNotEmpty();
                machines.add(h);
            }
            assertThat(fake.keyCount()).as("the pool's key is registered").isEqualTo(1);
        } finally {
            pool.close();
        }
        assertThat(pool.state()).isEqualTo(PoolState.CLOSED);
        assertThat(fake.droplets()).isEmpty();
        assertThat(machines).allSatisfy(h -> {
            assertThat(h.sshdRunning()).isFalse();
            assertThat(h.userExists()).isFalse();
            assertThat(h.killedOnDestroy()).as("close() had stopped every process on " + h + " before its droplet "
                    + "was destroyed").isZero();
        });
    }

    @Test
    void noCapacityHalfwayInTheFirstRegionMovesToTheNextOfferAndItsDropletIsGone() {
        fake.capacityRunsOutIn("tor1", 1);
        try (ComputePool pool = pool(provider().regions("tor1", "nyc2").build(), 2).build()) {
            assertThat(pool.broadcast(ctx -> ctx.rank())).containsExactly(0, 1);
            assertThat(fake.droplets()).hasSize(2).allSatisfy(d -> assertThat(d.region).isEqualTo("nyc2"));
            assertThat(fake.requests()).as("one droplet was made in tor1 first")
                    .anyMatch(r -> r.startsWith("DELETE /v2/droplets/"));
        }
    }

    @Test
    void theDropletLimitFailsWithWhatToDo() {
        fake.dropletLimit(0);
        assertThatThrownBy(() -> pool(provider().regions("tor1").build(), 1).build())
                .isInstanceOf(SkywardException.class)
                .hasMessageContaining("droplet limit")
                .hasMessageContaining("ask DigitalOcean support to raise the limit");
    }

    @Test
    void aRejectedTokenFailsWithWhatToSet() {
        assertThatThrownBy(() -> pool(provider().token("dop_v1_expired").regions("tor1").build(), 1).build())
                .isInstanceOf(SkywardException.class)
                .hasMessageContaining("Unable to authenticate you")
                .hasMessageContaining("set DIGITALOCEAN_TOKEN");
    }

    @Test
    void aRateLimitIsWaitedOutNotFailed() {
        fake.rateLimit(3, Duration.ofSeconds(2));
        long t = System.nanoTime();
        try (ComputePool pool = pool(provider().regions("tor1").build(), 1).build()) {
            String up = pool.run(ctx -> "up");
            assertThat(up).isEqualTo("up");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t)).as("waited for ratelimit-reset")
                .isGreaterThan(Duration.ofMillis(900));
    }
}
