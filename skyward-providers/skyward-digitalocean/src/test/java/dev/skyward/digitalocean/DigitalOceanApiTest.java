package dev.skyward.digitalocean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyward.Image;
import dev.skyward.bootstrap.PoolKey;
import dev.skyward.spi.Instance;
import dev.skyward.spi.InstanceStatus;
import dev.skyward.spi.LaunchRequest;
import dev.skyward.spi.Offer;
import dev.skyward.spi.ProviderException;
import dev.skyward.spi.ProviderException.Kind;
import dev.skyward.testkit.hosts.CloudHosts;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The DigitalOcean client against the fake: what the spec and its prose demand, throttling, paging,
 * live availability, and the contract check itself catching a wrong request.
 */
class DigitalOceanApiTest {

    private static final String TOKEN = "dop_v1_api";
    private static CloudHosts hosts;
    private static FakeDigitalOcean fake;

    @BeforeAll
    static void start() throws Exception {
        hosts = CloudHosts.start("doa");
        fake = FakeDigitalOcean.start(hosts, TOKEN);
    }

    @AfterAll
    static void stop() {
        fake.close();
        hosts.close();
    }

    @AfterEach
    void everyRequestAndResponseFollowedTheSpec() {
        try {
            assertThat(fake.violations()).isEmpty();
            assertThat(fake.droplets()).isEmpty();
            assertThat(fake.keyCount()).isZero();
            assertThat(hosts.leftovers()).isEmpty();
        } finally {
            fake.clearViolations();
            fake.clearInjections();
            fake.perPage(20);
        }
    }

    private static DigitalOcean.Builder provider() {
        return DigitalOcean.builder().token(TOKEN).baseUrl(fake.baseUrl()).login(fake::login)
                .pollInterval(Duration.ofMillis(100)).deleteTimeout(Duration.ofSeconds(30));
    }

    private static DigitalOceanApi api(String token) {
        return new DigitalOceanApi(fake.baseUrl(), token, "a test", new OkHttpClient(), Duration.ofSeconds(5),
                Clock.systemUTC());
    }

    private static Offer offer(DigitalOcean p, String type, String region) {
        return p.offers(null).stream().filter(o -> o.instanceType().equals(type) && o.region().equals(region))
                .findFirst().orElseThrow();
    }

    @Test
    void aDropletNameTheSpecForbidsIsCaughtByTheContractCheck() {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("name", "bad_name!").put("region", "tor1")
                .put("size", "gpu-h100x1-80gb").put("image", "gpu-h100x1-base");
        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> api(TOKEN).post("/v2/droplets", body));
        assertThat(e.getMessage()).contains("400");
        assertThat(fake.violations()).singleElement().asString()
                .startsWith("request POST /v2/droplets").contains("pattern").contains("bad_name!");
        assertThat(fake.droplets()).isEmpty();
        fake.clearViolations();
    }

    @Test
    void theDangerousDestroyIsRefusedWithoutXDangerous() {
        assertThatThrownBy(() -> api(TOKEN).delete("/v2/droplets/1/destroy_with_associated_resources/dangerous",
                Map.of())).isInstanceOf(ProviderException.class).hasMessageContaining("X-Dangerous");
        assertThat(fake.violations()).singleElement().asString().contains("X-Dangerous");
        fake.clearViolations();
    }

    @Test
    void gpuDropletsAreListedByTypeAndFilteredByTagNeverBothInOneRequest() {
        DigitalOcean p = provider().build();
        String pool = "listing-" + System.nanoTime();
        fake.perPage(1); // two droplets: two pages each listing
        try {
            List<Instance> launched = p.launch(new LaunchRequest(pool, offer(p, "gpu-h100x1-80gb", "tor1"), 2, false,
                    Image.DEFAULT, PoolKey.generate(pool).publicKey(), Map.of("team", "ml")));
            assertThat(launched).as("requested: no address yet").hasSize(2)
                    .allSatisfy(i -> assertThat(i.status()).isEqualTo(InstanceStatus.PENDING))
                    .allSatisfy(i -> assertThat(i.ssh()).isNull());
            assertThat(p.describe(pool)).hasSize(2);
            assertThat(fake.droplets()).allSatisfy(d -> assertThat(d.tags())
                    .contains("skyward", DropletNaming.poolTag(pool), "team:ml"));
        } finally {
            p.terminate(pool);
        }
        List<String> lists = fake.requests().stream().filter(r -> r.startsWith("GET /v2/droplets?")).toList();
        assertThat(lists).anyMatch(r -> r.contains("type=gpus")).anyMatch(r -> r.contains("page=2"))
                .noneMatch(r -> r.contains("type=") && r.contains("tag_name="));
        assertThat(fake.requests()).anyMatch(r -> r.startsWith("DELETE /v2/droplets/")
                && r.endsWith("/destroy_with_associated_resources/dangerous"));
    }

    @Test
    void dropletsListingsDoNotShowYetStillCountSoASecondLaunchCreatesNothing() {
        DigitalOcean p = provider().build();
        String pool = "lagging-" + System.nanoTime();
        fake.listingLag(Duration.ofSeconds(30));
        try {
            LaunchRequest r = new LaunchRequest(pool, offer(p, "gpu-h100x1-80gb", "tor1"), 2, false, Image.DEFAULT,
                    PoolKey.generate(pool).publicKey(), Map.of());
            p.launch(r);
            assertThat(p.launch(r)).hasSize(2);
            assertThat(fake.droplets()).hasSize(2);
            assertThat(p.describe(pool)).hasSize(2);
        } finally {
            p.terminate(pool);
            fake.listingLag(Duration.ZERO);
        }
    }

    @Test
    void terminateWaitsForSlowDeletesUntilThePoolsTagListsNothing() {
        DigitalOcean p = provider().build();
        String pool = "slow-" + System.nanoTime();
        p.launch(new LaunchRequest(pool, offer(p, "gpu-h100x1-80gb", "tor1"), 1, false, Image.DEFAULT,
                PoolKey.generate(pool).publicKey(), Map.of()));
        fake.deleteDelay(Duration.ofSeconds(2));
        try {
            long t = System.nanoTime();
            p.terminate(pool);
            assertThat(Duration.ofNanos(System.nanoTime() - t)).isGreaterThan(Duration.ofMillis(1900));
            assertThat(fake.droplets()).isEmpty();
            assertThat(fake.requests()).anyMatch(r -> r.startsWith("GET /v2/droplets?") && r.contains("tag_name="));
        } finally {
            fake.deleteDelay(Duration.ofMillis(300));
        }
    }

    @Test
    void aRateLimitIsWaitedOutUntilRatelimitReset() {
        DigitalOcean p = provider().build();
        fake.rateLimit(2, Duration.ofSeconds(2));
        long t = System.nanoTime();
        assertThat(p.describe("nothing-here")).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - t)).isGreaterThan(Duration.ofMillis(900));
    }

    @Test
    void aRateLimitResettingBeyondTheBoundFailsAsTransient() {
        DigitalOcean p = provider().maxRateLimitWait(Duration.ofSeconds(1)).build();
        fake.rateLimit(1, Duration.ofSeconds(60));
        ProviderException e = catchThrowableOfType(ProviderException.class, () -> p.describe("nothing-here"));
        assertThat(e.kind()).isEqualTo(Kind.TRANSIENT);
        assertThat(e.getMessage()).contains("rate limit").contains("try again later");
    }

    @Test
    void serverErrorsOnReadsAreRetried() {
        DigitalOcean p = provider().build();
        fake.inject("GET", "/v2/droplets", 2, 500, "server_error", "Unexpected server-side error", Map.of());
        assertThat(p.describe("nothing-here")).isEmpty();
    }

    @Test
    void aBadTokenSaysWhatToSet() {
        DigitalOcean p = provider().token("dop_v1_revoked").build();
        String pool = "badtoken";
        ProviderException e = catchThrowableOfType(ProviderException.class, () -> p.launch(new LaunchRequest(pool,
                offer(p, "gpu-h100x1-80gb", "tor1"), 1, false, Image.DEFAULT, PoolKey.generate(pool).publicKey(),
                Map.of())));
        assertThat(e.kind()).isEqualTo(Kind.CREDENTIALS);
        assertThat(e.getMessage()).contains("401").contains("Unable to authenticate you")
                .contains("DigitalOcean.builder().token(...)").contains("set DIGITALOCEAN_TOKEN");
    }

    @Test
    void theDropletLimitIsAQuotaThatSaysWhatToDo() {
        DigitalOcean p = provider().build();
        String pool = "quota-" + System.nanoTime();
        fake.dropletLimit(0);
        try {
            ProviderException e = catchThrowableOfType(ProviderException.class, () -> p.launch(new LaunchRequest(pool,
                    offer(p, "gpu-h100x1-80gb", "tor1"), 1, false, Image.DEFAULT, PoolKey.generate(pool).publicKey(),
                    Map.of())));
            assertThat(e.kind()).isEqualTo(Kind.QUOTA);
            assertThat(e.getMessage()).contains("droplet limit").contains("ask DigitalOcean support to raise");
        } finally {
            fake.dropletLimit(25);
            p.terminate(pool);
        }
    }

    @Test
    void liveAvailabilityComesFromSizes() {
        DigitalOcean p = provider().build();
        Offer h100 = offer(p, "gpu-h100x1-80gb", "tor1");
        Offer h200 = offer(p, "gpu-h200x1-141gb", "atl1");
        Offer elsewhere = new Offer(h200.provider(), h200.instanceType(), h200.accelerator(), h200.vcpus(),
                h200.memoryGiB(), "sfo3", "", h200.onDemandPrice(), Double.NaN, h200.arch());
        fake.sizeAvailable("gpu-h100x1-80gb", false);
        try {
            assertThat(p.capacity(List.of(h100, h200, elsewhere), false))
                    .containsEntry(h100, false).containsEntry(h200, true).containsEntry(elsewhere, false);
            assertThat(p.capacity(List.of(h200), true)).as("no spot market").containsEntry(h200, false);
        } finally {
            fake.sizeAvailable("gpu-h100x1-80gb", true);
        }
    }

    @Test
    void theImageFollowsTheSize() {
        assertThat(GpuImages.forSize("gpu-h100x1-80gb")).isEqualTo("gpu-h100x1-base");
        assertThat(GpuImages.forSize("gpu-h100x8-640gb")).isEqualTo("gpu-h100x8-base");
        assertThat(GpuImages.forSize("gpu-h200x8-1128gb")).isEqualTo("gpu-h100x8-base");
        assertThat(GpuImages.forSize("gpu-mi300x1-192gb")).isEqualTo("gpu-amd-base");
        assertThat(GpuImages.forSize("gpu-mi300x8-1536gb")).isEqualTo("gpu-amd-base");
        assertThat(GpuImages.forSize("s-2vcpu-4gb")).isEqualTo("ubuntu-24-04-x64");
    }

    @Test
    void namesAndTagsKeepToDigitalOceansRules() {
        assertThat(DropletNaming.poolTag("My Pool.v2-0a1b2c")).isEqualTo("skyward-pool:My_Pool_v2-0a1b2c")
                .matches("^[a-zA-Z0-9_\\-:]+$");
        assertThat(DropletNaming.dropletName("My_Pool.v2-0a1b2c", 3)).isEqualTo("my-pool.v2-0a1b2c-3")
                .matches("^[a-zA-Z0-9]?[a-z0-9A-Z.\\-]*[a-z0-9A-Z]$");
        assertThat(DropletNaming.index("my-pool.v2-0a1b2c-3")).hasValue(3);
    }
}
