package dev.skyward.verda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.bootstrap.PoolKey;
import dev.skyward.spi.Offer;
import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderException;
import dev.skyward.testkit.hosts.CloudHosts;
import dev.skyward.testkit.provider.ProviderContractTest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The provider contract, held by the Verda provider against the cloud-in-a-box fake. */
class VerdaContractTest extends ProviderContractTest {

    private static final int RETRIES = 2;
    private static CloudHosts hosts;
    private static FakeVerda fake;
    private static Verda provider;
    private static final Map<String, String> KEYS = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        hosts = CloudHosts.start("vdc");
        fake = FakeVerda.start(hosts);
        provider = Verda.builder().credentials(FakeVerda.CLIENT_ID, FakeVerda.CLIENT_SECRET).baseUrl(fake.baseUrl())
                .login(fake::login).pollInterval(Duration.ofMillis(100)).deleteTimeout(Duration.ofSeconds(30))
                .retries(RETRIES, Duration.ofMillis(50)).build();
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
    void everyRequestWasOneTheRealApiAccepts() {
        assertThat(fake.violations()).isEmpty();
    }

    @Override
    protected Provider provider() {
        return provider;
    }

    @Override
    protected Offer offer() {
        return provider.offers(null).stream().filter(o -> o.instanceType().equals("1H100.80S.30V")
                && o.region().equals("FIN-01")).findFirst().orElseThrow();
    }

    @Override
    protected String sshPublicKey(String poolId) {
        return KEYS.computeIfAbsent(poolId, p -> PoolKey.generate(p).publicKey());
    }

    @Override
    protected void failNextLaunch(ProviderException.Kind kind) {
        switch (kind) {
            case CAPACITY -> fake.injectError("POST", "/instances", 1, 400, "invalid_request",
                    "Not enough capacity for 1H100.80S.30V in FIN-01 right now");
            case QUOTA -> fake.insufficientFunds(true);
            // A 401 makes the client fetch a new token once; a second 401 is a credentials failure.
            case CREDENTIALS -> fake.injectError("GET", "/sshkeys", 2, 401, "unauthorized_request",
                    "Access token is not valid for this client");
            // Server errors on create are retried (after checking the instance was not made); past the retries
            // they surface as transient.
            case TRANSIENT -> fake.injectError("POST", "/instances", RETRIES + 1, 503, "service_unavailable",
                    "Service temporarily unavailable");
            case FATAL -> fake.injectError("POST", "/instances", 1, 400, "invalid_request", "Invalid image");
        }
    }

    @Override
    protected void failLaunchAfterFirstInstance() {
        fake.failCreatesAfter(fake.instanceIds().size() + 1);
    }

    @Override
    protected void clearFailures() {
        fake.clear();
    }

    @Override
    protected void assertNothingLeft() {
        assertThat(fake.instanceIds()).as("instances left").isEmpty();
        assertThat(fake.keyCount()).as("ssh keys left").isZero();
        HostsLeft.assertNone(hosts);
    }
}
