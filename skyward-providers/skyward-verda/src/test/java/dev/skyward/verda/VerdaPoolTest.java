package dev.skyward.verda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.ComputePool;
import dev.skyward.NodeInfo;
import dev.skyward.SkywardException;
import dev.skyward.spi.Instance;
import dev.skyward.testkit.Leaks;
import dev.skyward.testkit.hosts.CloudHosts;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pools on Verda, end to end: the engine, the provider, the fake's API and its instances as real
 * loopback OpenSSH hosts, with agents started over SSH. After every test nothing of any pool is left,
 * through the fake's API and on the hosts.
 */
@Timeout(120)
class VerdaPoolTest {

    static CloudHosts hosts;
    static FakeVerda fake;

    @BeforeAll
    static void start() throws Exception {
        hosts = CloudHosts.start("vdp");
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
    void nothingOfAnyPoolIsLeft() {
        fake.clear();
        fake.tokenLifetime(Duration.ofHours(1));
        assertThat(fake.instanceIds()).as("instances left on the fake").isEmpty();
        assertThat(fake.keyCount()).as("ssh keys left on the fake").isZero();
        HostsLeft.assertNone(hosts);
        assertThat(fake.violations()).as("requests the real API would refuse").isEmpty();
    }

    static Verda.Builder verda() {
        return verdaOn(fake);
    }

    static Verda.Builder verdaOn(FakeVerda fake) {
        return Verda.builder().credentials(FakeVerda.CLIENT_ID, FakeVerda.CLIENT_SECRET).baseUrl(fake.baseUrl())
                .login(fake::login).pollInterval(Duration.ofMillis(100)).deleteTimeout(Duration.ofSeconds(30))
                .retries(3, Duration.ofMillis(50));
    }

    static ComputePool.Builder pool(Verda verda, int nodes) {
        return ComputePool.builder().console(false).provider(verda).accelerator("H100").nodes(nodes)
                .provisionTimeout(Duration.ofSeconds(60));
    }

    @Test
    void aTwoNodePoolRunsOnTwoInstancesReachedOverTheirPublicAddressesAndLeavesNothing() {
        String id;
        try (ComputePool pool = pool(verda().build(), 2).build()) {
            id = pool.id();
            List<String> users = pool.broadcast(ctx -> ctx.rank() + "/" + ctx.worldSize() + "@"
                    + System.getProperty("user.name") + " head " + ctx.headAddress());
            assertThat(users).hasSize(2);
            assertThat(users.get(0)).startsWith("0/2@vdp");
            assertThat(users.get(1)).startsWith("1/2@vdp");
            assertThat(users.stream().map(u -> u.substring(u.indexOf('@'), u.indexOf(" head"))).distinct())
                    .as("each rank on its own instance").hasSize(2);
            // No private network on Verda: the head is reached at its public address.
            String headIp = pool.nodes().get(0).address();
            assertThat(users).allSatisfy(u -> assertThat(u).endsWith("head " + headIp));
            assertThat(pool.map(IntStream.rangeClosed(1, 10).boxed().toList(), (ctx, x) -> x * x))
                    .containsExactly(1, 4, 9, 16, 25, 36, 49, 64, 81, 100);
            assertThat(pool.nodes()).extracting(NodeInfo::provider).containsOnly("verda");
            assertThat(fake.keyLines()).as("the pool's key is registered").hasSize(1);
            assertThat(fake.createRequests()).allSatisfy(r -> {
                assertThat(r.path("location_code").asText()).isNotBlank();
                assertThat(r.path("image").asText()).isEqualTo(VerdaImages.GPU_OPEN);
                assertThat(r.path("contract").asText()).isEqualTo("PAY_AS_YOU_GO");
                assertThat(r.path("is_spot").asBoolean()).isFalse();
                // The marker: this pool, its node, and who made it (the leak guard's ownership fields).
                PoolMarker.Node node = PoolMarker.parse(r.path("description").asText()).orElseThrow();
                assertThat(node.poolId()).isEqualTo(id);
                assertThat(r.path("description").asText()).startsWith(PoolMarker.description(id, node.index()) + " client=");
                assertThat(node.ownership()).hasValueSatisfying(o -> assertThat(o.clientId())
                        .isEqualTo(dev.skyward.guard.ClientId.current()));
            });
        }
        Leaks.assertNothingLeft(id, List.of());
    }

    @Test
    void withoutCapacityInFin03ThePoolFailsOverToFin01AndTheFirstAttemptsInstancesAreGone() {
        fake.noCapacityIn("FIN-03");
        Verda verda = verda().locations("FIN-03", "FIN-01").build();
        try (ComputePool pool = pool(verda, 2).build()) {
            assertThat(pool.broadcast(ctx -> ctx.rank())).containsExactly(0, 1);
            Set<String> live = pool.nodes().stream().map(NodeInfo::instanceId).collect(Collectors.toSet());
            assertThat(fake.locationsOf(live)).containsOnly("FIN-01");
            assertThat(fake.instanceIds()).as("only the FIN-01 instances exist").containsExactlyInAnyOrderElementsOf(live);
            assertThat(fake.requests()).as("FIN-03 was tried first").contains("POST /v1/instances");
            assertThat(fake.statuses().values()).containsOnly("running");
        }
    }

    @Test
    void anAccessTokenThatExpiresOrIsRevokedMidPoolIsReplacedAndTheSecretIsNeverInTheErrors() throws Exception {
        fake.tokenLifetime(Duration.ofSeconds(2));
        try (ComputePool pool = pool(verda().build(), 1).build()) {
            int two = pool.run(ctx -> 1 + 1);
            assertThat(two).isEqualTo(2);
            Thread.sleep(2500); // the token has expired
            fake.revokeTokens(); // and even the refresh token stops working
            int four = pool.run(ctx -> 2 + 2);
            assertThat(four).isEqualTo(4);
        }
        long grants = fake.requests().stream().filter(r -> r.equals("POST /v1/oauth2/token")).count();
        assertThat(grants).as("token fetched again for the close").isGreaterThanOrEqualTo(2);
    }

    @Test
    void badCredentialsStopThePoolWithAMessageThatSaysWhatToSet() {
        Verda bad = verda().credentials("someone-else", "wrong").build();
        assertThatThrownBy(() -> pool(bad, 1).build()).isInstanceOf(SkywardException.class)
                .satisfies(t -> assertThat(chain(t)).contains("401").contains("someone-else")
                        .contains("VERDA_CLIENT_ID").doesNotContain("wrong"));
    }

    @Test
    void insufficientFundsStopThePoolWithAMessageThatSaysToAddFunds() {
        fake.insufficientFunds(true);
        assertThatThrownBy(() -> pool(verda().build(), 1).build()).isInstanceOf(SkywardException.class)
                .satisfies(t -> assertThat(chain(t)).contains("insufficient_funds").contains("Add funds"));
    }

    @Test
    void serverErrorsAndAProxysHtmlPageAreRetried() {
        fake.inject("GET", "/instances", 2, 502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>");
        fake.injectError("GET", "/sshkeys", 1, 500, "server_error", "Internal server error");
        fake.injectError("POST", "/oauth2/token", 1, 503, "service_unavailable", "Service unavailable");
        try (ComputePool pool = pool(verda().build(), 1).build()) {
            String ok = pool.run(ctx -> "ok");
            assertThat(ok).isEqualTo("ok");
        }
    }

    static String chain(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getMessage()).append('\n');
            for (Throwable s : c.getSuppressed()) {
                b.append(chain(s));
            }
        }
        return b.toString();
    }

    static List<String> ids(List<Instance> instances) {
        return instances.stream().map(Instance::id).toList();
    }
}
