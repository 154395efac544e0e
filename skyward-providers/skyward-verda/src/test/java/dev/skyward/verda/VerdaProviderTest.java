package dev.skyward.verda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.Image;
import dev.skyward.bootstrap.PoolKey;
import dev.skyward.spi.Instance;
import dev.skyward.spi.InstanceStatus;
import dev.skyward.spi.LaunchRequest;
import dev.skyward.spi.Offer;
import dev.skyward.spi.ProviderException;
import dev.skyward.testkit.hosts.CloudHosts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Verda provider against the fake, call by call: what it sends, how it reads the answers. */
@Timeout(60)
class VerdaProviderTest {

    static CloudHosts hosts;
    static FakeVerda fake;
    static Verda verda;

    @BeforeAll
    static void start() throws Exception {
        hosts = CloudHosts.start("vdv");
        fake = FakeVerda.start(hosts);
        verda = VerdaPoolTest.verdaOn(fake).build();
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
        fake.clear();
        assertThat(fake.instanceIds()).isEmpty();
        assertThat(fake.keyCount()).isZero();
        HostsLeft.assertNone(hosts);
        assertThat(fake.violations()).isEmpty();
    }

    static Offer offer(String type, String location) {
        return verda.offers(null).stream().filter(o -> o.instanceType().equals(type) && o.region().equals(location))
                .findFirst().orElseThrow();
    }

    static LaunchRequest request(String pool, Offer offer, int count, boolean spot) {
        return new LaunchRequest(pool, offer, count, spot, Image.DEFAULT, PoolKey.generate(pool).publicKey(), Map.of());
    }

    List<Instance> awaitRunning(String pool, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<Instance> all = verda.describe(pool);
            if (all.size() == count && all.stream().allMatch(i -> i.status() == InstanceStatus.RUNNING)) {
                return all;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not running: " + verda.describe(pool));
    }

    @Test
    void launchReturnsAtOnceWithPendingInstancesThatDescribeLaterReportsRunningWithAnAddress() throws Exception {
        String pool = "prov-launch";
        List<Instance> launched = verda.launch(request(pool, offer("1H100.80S.30V", "FIN-01"), 2, false));
        assertThat(launched).hasSize(2).allSatisfy(i -> {
            assertThat(i.status()).isEqualTo(InstanceStatus.PENDING);
            assertThat(i.ssh()).isNull();
        });
        List<Instance> running = awaitRunning(pool, 2);
        assertThat(running).allSatisfy(i -> {
            assertThat(i.publicAddress()).startsWith("127.0.");
            assertThat(i.privateAddress()).as("Verda has no private network").isNull();
            assertThat(i.clusterAddress()).isEqualTo(i.publicAddress());
            assertThat(i.ssh().host()).isEqualTo(i.publicAddress());
        });
        assertThat(running.stream().map(Instance::launchIndex)).containsExactlyInAnyOrder(0, 1);
        verda.terminate(pool);
    }

    @Test
    void spotLaunchesAskForTheSpotContractAndTheImageFollowsTheType() {
        verda.launch(request("prov-spot", offer("8V100.48V", "FIN-03"), 1, true));
        assertThat(fake.createRequests()).singleElement().satisfies(r -> {
            assertThat(r.path("is_spot").asBoolean()).isTrue();
            assertThat(r.path("contract").asText()).isEqualTo("SPOT");
            assertThat(r.path("location_code").asText()).isEqualTo("FIN-03");
            assertThat(r.path("image").asText()).isEqualTo(VerdaImages.GPU_VOLTA);
            assertThat(r.path("os_volume").path("size").asInt()).isEqualTo(100);
        });
        verda.terminate("prov-spot");
    }

    @Test
    void aSpotRequestForATypeWithoutSpotFailsBeforeAnyCall() {
        int before = fake.requests().size();
        assertThatThrownBy(() -> verda.launch(request("prov-nospot", offer("1H200.141S.44V", "FIN-02"), 1, true)))
                .isInstanceOf(ProviderException.class).hasMessageContaining("no spot market");
        assertThat(fake.requests()).hasSize(before);
    }

    @ParameterizedTest
    @EnumSource(FakeVerda.CreateAnswer.class)
    void theCreateAnswerIsReadAsPlainTextAJsonStringOrAnObject(FakeVerda.CreateAnswer form) throws Exception {
        fake.createAnswer(form);
        String pool = "prov-answer-" + form.name().toLowerCase().replace('_', '-');
        verda.launch(request(pool, offer("1H100.80S.30V", "FIN-01"), 1, false));
        assertThat(awaitRunning(pool, 1)).singleElement()
                .satisfies(i -> assertThat(fake.instanceIds()).contains(i.id()));
        verda.terminate(pool);
    }

    @Test
    void noCapacityAfterAnAcceptedCreateIsReportedAsNoCapacityByDescribe() throws Exception {
        fake.noCapacityIn("FIN-03");
        String pool = "prov-nocap";
        verda.launch(request(pool, offer("1H100.80S.30V", "FIN-03"), 1, false));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (verda.describe(pool).get(0).status() == InstanceStatus.PENDING && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(verda.describe(pool)).singleElement()
                .satisfies(i -> assertThat(i.status()).isEqualTo(InstanceStatus.NO_CAPACITY));
        verda.terminate(pool);
    }

    @Test
    void liveCapacityComesFromInstanceAvailabilityForBothMarkets() {
        fake.noCapacityIn("FIN-03");
        Offer fin01 = offer("1H100.80S.30V", "FIN-01");
        Offer fin03 = offer("1H100.80S.30V", "FIN-03");
        Offer noSpot = offer("1H200.141S.44V", "FIN-02");
        assertThat(verda.capacity(List.of(fin01, fin03, noSpot), false))
                .containsEntry(fin01, true).containsEntry(fin03, false).containsEntry(noSpot, true);
        assertThat(verda.capacity(List.of(fin01, fin03, noSpot), true))
                .containsEntry(fin01, true).containsEntry(fin03, false).containsEntry(noSpot, false);
        assertThat(fake.requests()).contains("GET /v1/instance-availability");
    }

    @Test
    void aDeleteThatVerdaPartlyRefusesWith207IsRetriedForTheFailedIdsOnly() throws Exception {
        String pool = "prov-207";
        verda.launch(request(pool, offer("1H100.80S.30V", "FIN-01"), 2, false));
        awaitRunning(pool, 2);
        fake.refuseDeletes(1);
        int puts = puts();
        verda.terminate(pool);
        assertThat(puts() - puts).as("one delete for both, one retry for the refused id").isEqualTo(2);
        assertThat(verda.describe(pool)).isEmpty();
    }

    @Test
    void idsVerdaKeepsRefusingToDeleteAreReportedAfterTheRetries() throws Exception {
        String pool = "prov-refused";
        verda.launch(request(pool, offer("1H100.80S.30V", "FIN-01"), 2, false));
        awaitRunning(pool, 2);
        fake.refuseDeletes(100);
        assertThatThrownBy(() -> verda.terminate(pool)).isInstanceOf(ProviderException.class)
                .hasMessageContaining("refused to delete").hasMessageContaining("still billed")
                .hasMessageContaining("409");
        fake.clear();
        verda.terminate(pool); // the next close cleans up
    }

    @Test
    void poolsAreToldApartByTheirExactIdNeverByAPrefix() throws Exception {
        verda.launch(request("prov-a-1", offer("1H100.80S.30V", "FIN-01"), 1, false));
        verda.launch(request("prov-a-10", offer("1H100.80S.30V", "FIN-01"), 1, false));
        assertThat(verda.describe("prov-a-1")).hasSize(1);
        assertThat(verda.describe("prov-a")).isEmpty();
        verda.terminate("prov-a-1");
        assertThat(verda.describe("prov-a-10")).hasSize(1);
        assertThat(fake.keyCount()).as("only the other pool's key is left").isEqualTo(1);
        verda.terminate("prov-a-10");
    }

    @Test
    void anExpiredTokenIsRefreshedBeforeTheCallAndARevokedOneIsReplacedOnce() throws Exception {
        fake.tokenLifetime(Duration.ofSeconds(1));
        Verda v = VerdaPoolTest.verdaOn(fake).build();
        v.describe("prov-token");
        Thread.sleep(1100);
        v.describe("prov-token");
        assertThat(tokenCalls()).as("client credentials, then a refresh").isEqualTo(2);
        fake.tokenLifetime(Duration.ofHours(1));
        v.describe("prov-token"); // refresh again: the 1 s token is refreshed a fifth early
        fake.revokeTokens();
        int before = fake.requests().size();
        v.describe("prov-token");
        assertThat(fake.requests().subList(before, fake.requests().size())).containsExactly(
                "GET /v1/instances", "POST /v1/oauth2/token", "GET /v1/instances");
    }

    @Test
    void credentialsComeFromTheEnvironmentAndTheirAbsenceFailsBeforeAnyCall(@TempDir Path home) {
        Verda none = Verda.builder().environment(Map.of(), home).baseUrl(fake.baseUrl()).build();
        assertThat(none.check().ok()).isFalse();
        assertThat(none.check().message()).contains("VERDA_CLIENT_ID").contains("~/.verda/config.json");
        int before = fake.requests().size();
        assertThatThrownBy(() -> none.describe("x")).isInstanceOf(ProviderException.class)
                .satisfies(e -> assertThat(((ProviderException) e).kind()).isEqualTo(ProviderException.Kind.CREDENTIALS));
        assertThat(fake.requests()).hasSize(before);
        Verda legacy = Verda.builder().environment(Map.of("DATACRUNCH_CLIENT_ID", FakeVerda.CLIENT_ID,
                "DATACRUNCH_CLIENT_SECRET", FakeVerda.CLIENT_SECRET), home).baseUrl(fake.baseUrl()).build();
        assertThat(legacy.check().source()).isEqualTo("env DATACRUNCH_CLIENT_ID");
        assertThat(legacy.describe("x")).isEmpty();
        assertThat(legacy.toString()).doesNotContain(FakeVerda.CLIENT_SECRET);
    }

    private static long tokenCalls() {
        return fake.requests().stream().filter(r -> r.equals("POST /v1/oauth2/token")).count()
                - baseTokenCalls;
    }

    private static long baseTokenCalls;

    @org.junit.jupiter.api.BeforeEach
    void countTokenCalls() {
        baseTokenCalls = fake.requests().stream().filter(r -> r.equals("POST /v1/oauth2/token")).count();
    }

    private static int puts() {
        return (int) fake.requests().stream().filter(r -> r.equals("PUT /v1/instances")).count();
    }
}
