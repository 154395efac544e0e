package dev.skyward.digitalocean;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.Image;
import dev.skyward.bootstrap.PoolKey;
import dev.skyward.guard.ClientId;
import dev.skyward.spi.LaunchRequest;
import dev.skyward.spi.Offer;
import dev.skyward.spi.OwnedInstance;
import dev.skyward.spi.Ownership;
import dev.skyward.testkit.hosts.CloudHosts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The leak guard on DigitalOcean: a pool's droplets carry the pool, the client id and the expiry or
 * lease as {@code key:value} tags (DigitalOcean tags are plain strings), and
 * {@link DigitalOcean#ownedInstances()} finds every pool's droplets — GPU droplets by {@code type=gpus}
 * (never combined with {@code tag_name}, as the spec's prose forbids), with their price and age.
 */
@Timeout(120)
class DigitalOceanOwnershipTest {

    private static final String TOKEN = "dop_v1_owner";
    private static CloudHosts hosts;
    private static FakeDigitalOcean fake;

    @BeforeAll
    static void start() throws Exception {
        hosts = CloudHosts.start("doo");
        fake = FakeDigitalOcean.start(hosts, TOKEN);
    }

    @AfterAll
    static void stop() {
        fake.close();
        hosts.close();
    }

    @AfterEach
    void nothingLeftAndEveryRequestFollowedTheSpec() {
        assertThat(fake.violations()).isEmpty();
        assertThat(fake.droplets()).isEmpty();
        assertThat(fake.keyCount()).isZero();
        assertThat(hosts.leftovers()).isEmpty();
    }

    @Test
    void dropletsCarryTheirOwnershipAndTheListingFindsEveryPool() {
        DigitalOcean p = DigitalOcean.builder().token(TOKEN).baseUrl(fake.baseUrl()).login(fake::login)
                .pollInterval(Duration.ofMillis(100)).deleteTimeout(Duration.ofSeconds(30)).build();
        Offer h100 = p.offers(null).stream().filter(o -> o.instanceType().equals("gpu-h100x1-80gb")
                && o.region().equals("tor1")).findFirst().orElseThrow();
        String first = "owned-a-" + System.nanoTime();
        String second = "owned-b-" + System.nanoTime();
        Instant now = Instant.now();
        Ownership ends = new Ownership(first, ClientId.current(), now, now.plus(Duration.ofHours(1)), Duration.ofSeconds(60));
        Ownership leased = new Ownership(second, ClientId.current(), now, null, Duration.ofSeconds(20));
        try {
            p.launch(new LaunchRequest(first, h100, 2, false, Image.DEFAULT, PoolKey.generate(first).publicKey(),
                    ends.toTags()));
            p.launch(new LaunchRequest(second, h100, 1, false, Image.DEFAULT, PoolKey.generate(second).publicKey(),
                    leased.toTags()));
            assertThat(fake.droplets()).filteredOn(d -> d.tags().contains(DropletNaming.poolTag(first))).hasSize(2)
                    .allSatisfy(d -> assertThat(d.tags()).contains("skyward", "skyward-client:" + ClientId.current(),
                            "skyward-expires:" + ends.expires().getEpochSecond(), "skyward-lease:60")
                            .doesNotHaveDuplicates());

            Map<String, List<OwnedInstance>> byPool = p.ownedInstances().stream()
                    .collect(Collectors.groupingBy(OwnedInstance::poolId));
            assertThat(byPool.get(first)).hasSize(2).allSatisfy(o -> {
                assertThat(o.ownership()).isEqualTo(ends);
                assertThat(o.instanceType()).isEqualTo("gpu-h100x1-80gb");
                assertThat(o.region()).isEqualTo("tor1");
                assertThat(o.hourlyPrice()).isEqualTo(h100.onDemandPrice());
                assertThat(o.launched()).isBetween(now.minusSeconds(5), Instant.now());
            });
            assertThat(byPool.get(second)).singleElement()
                    .satisfies(o -> assertThat(o.ownership()).isEqualTo(leased));
            assertThat(fake.requests()).filteredOn(r -> r.startsWith("GET /v2/droplets?"))
                    .noneMatch(r -> r.contains("type=") && r.contains("tag_name="));
        } finally {
            p.terminate(first);
            p.terminate(second);
        }
        assertThat(p.ownedInstances()).isEmpty();
    }
}
