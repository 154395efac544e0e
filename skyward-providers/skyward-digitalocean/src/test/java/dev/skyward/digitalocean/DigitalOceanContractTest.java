package dev.skyward.digitalocean;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.bootstrap.PoolKey;
import dev.skyward.spi.Offer;
import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderException;
import dev.skyward.testkit.hosts.CloudHosts;
import dev.skyward.testkit.provider.ProviderContractTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The provider contract, held by the DigitalOcean provider against the cloud-in-a-box fake. */
class DigitalOceanContractTest extends ProviderContractTest {

    private static final String TOKEN = "dop_v1_contract";
    private static CloudHosts hosts;
    private static FakeDigitalOcean fake;
    private static DigitalOcean provider;
    private static final Map<String, String> KEYS = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        hosts = CloudHosts.start("doc");
        fake = FakeDigitalOcean.start(hosts, TOKEN);
        fake.perPage(1); // every listing pages
        provider = DigitalOcean.builder().token(TOKEN).baseUrl(fake.baseUrl()).login(fake::login)
                .pollInterval(Duration.ofMillis(100)).deleteTimeout(Duration.ofSeconds(30)).build();
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
    void everyRequestAndResponseFollowedTheSpec() {
        assertThat(fake.violations()).isEmpty();
    }

    @Override
    protected Provider provider() {
        return provider;
    }

    @Override
    protected Offer offer() {
        return provider.offers(null).stream().filter(o -> o.instanceType().equals("gpu-h100x1-80gb")
                && o.region().equals("tor1")).findFirst().orElseThrow();
    }

    @Override
    protected String sshPublicKey(String poolId) {
        return KEYS.computeIfAbsent(poolId, p -> PoolKey.generate(p).publicKey());
    }

    @Override
    protected void failNextLaunch(ProviderException.Kind kind) {
        switch (kind) {
            case CAPACITY -> fake.noCapacityIn("tor1");
            case QUOTA -> fake.dropletLimit(0);
            case CREDENTIALS -> fake.inject("GET", "/v2/account/keys", 1, 401, "unauthorized",
                    "Unable to authenticate you.", Map.of());
            // POSTs are not retried, so one 503 surfaces as a transient failure.
            case TRANSIENT -> fake.inject("POST", "/v2/droplets", 1, 503, "service_unavailable",
                    "Service temporarily unavailable.", Map.of());
            case FATAL -> fake.inject("POST", "/v2/droplets", 1, 422, "unprocessable_entity",
                    "You specified an invalid image for Droplet creation.", Map.of());
        }
    }

    @Override
    protected void failLaunchAfterFirstInstance() {
        fake.dropletLimit(fake.droplets().size() + 1);
    }

    @Override
    protected void clearFailures() {
        fake.clearInjections();
        fake.dropletLimit(25);
    }

    @Override
    protected void assertNothingLeft() {
        assertThat(fake.droplets()).as("droplets left").isEmpty();
        assertThat(fake.keyCount()).as("ssh keys left").isZero();
        assertThat(hosts.leftovers()).as("host leftovers").isEmpty();
    }
}
