package dev.skyward.testkit.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.skyward.Image;
import dev.skyward.spi.Instance;
import dev.skyward.spi.InstanceStatus;
import dev.skyward.spi.LaunchRequest;
import dev.skyward.spi.Offer;
import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every provider promises the engine, checked against the provider module's own fake of its
 * cloud (after gRPC-java's {@code AbstractTransportTest}): a module extends this class, says how to
 * reach its fake and how to make it fail, and inherits the tests.
 *
 * <pre>{@code
 * class DigitalOceanContractTest extends ProviderContractTest {
 *     protected Provider provider() { return DigitalOcean.builder().baseUrl(fake.baseUrl()).token(T).build(); }
 *     protected Offer offer() { ... }
 *     protected void failNextLaunch(ProviderException.Kind kind) { fake.inject(...); }
 *     protected void failLaunchAfterFirstInstance() { ... }
 *     protected void assertNothingLeft() { assertThat(fake.droplets()).isEmpty(); ... }
 * }
 * }</pre>
 */
public abstract class ProviderContractTest {

    private final List<String> pools = new ArrayList<>();

    /** The provider under test, talking to the fake. One instance serves every test of a class. */
    protected abstract Provider provider();

    /** An offer the fake can launch. */
    protected abstract Offer offer();

    /** The OpenSSH public key a pool launches with (each pool has its own ephemeral key in production). */
    protected abstract String sshPublicKey(String poolId);

    /**
     * Makes the fake fail the next launch (its first create call) the way the cloud reports this kind
     * of failure: no capacity, a quota, a bad token, a throttle or server error, anything else.
     */
    protected abstract void failNextLaunch(ProviderException.Kind kind);

    /** Makes the fake accept the first instance of the next multi-node launch and refuse the second. */
    protected abstract void failLaunchAfterFirstInstance();

    /** Undoes every injected failure. */
    protected abstract void clearFailures();

    /** Asserts, through the fake, that no instance, key or other resource of any pool is left. */
    protected abstract void assertNothingLeft();

    /** A fresh pool id, terminated after the test. */
    protected final String newPool() {
        String id = "contract-" + HexFormat.of().formatHex(new byte[] {(byte) ThreadLocalRandom.current().nextInt(),
                (byte) ThreadLocalRandom.current().nextInt(), (byte) ThreadLocalRandom.current().nextInt()});
        pools.add(id);
        return id;
    }

    /** A launch request for the pool. */
    protected LaunchRequest request(String poolId, int count) {
        return new LaunchRequest(poolId, offer(), count, false, Image.DEFAULT, sshPublicKey(poolId), Map.of());
    }

    @AfterEach
    void terminateEveryPool() {
        clearFailures();
        for (String p : pools) {
            provider().terminate(p);
        }
        pools.clear();
        assertNothingLeft();
    }

    @Test
    void aSecondLaunchCreatesNothing() {
        String pool = newPool();
        List<Instance> first = provider().launch(request(pool, 2));
        List<Instance> second = provider().launch(request(pool, 2));
        assertThat(ids(second)).containsExactlyInAnyOrderElementsOf(ids(first)).hasSize(2);
        assertThat(ids(provider().describe(pool))).containsExactlyInAnyOrderElementsOf(ids(first));
        assertThat(first).allSatisfy(i -> {
            assertThat(i.poolId()).isEqualTo(pool);
            assertThat(i.provider()).isEqualTo(provider().name());
        });
        assertThat(first.stream().map(Instance::launchIndex)).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void terminatingOneInstanceLeavesTheOthersAndTheNextLaunchRecreatesOnlyTheMissingIndex() {
        // How the engine replaces a lost node with its rank: terminate its instance, launch the same count again.
        String pool = newPool();
        List<Instance> first = provider().launch(request(pool, 3));
        Instance middle = first.stream().filter(i -> i.launchIndex() == 1).findFirst().orElseThrow();
        List<String> others = first.stream().filter(i -> i != middle).map(Instance::id).toList();

        provider().terminate(pool, List.of(middle.id()));
        List<Instance> left = provider().describe(pool).stream()
                .filter(i -> i.status() != InstanceStatus.TERMINATED).toList();
        assertThat(ids(left)).as("the other instances stay").containsExactlyInAnyOrderElementsOf(others);

        List<Instance> again = provider().launch(request(pool, 3));
        assertThat(again.stream().map(Instance::launchIndex)).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(ids(again)).containsAll(others).hasSize(3);
        assertThat(ids(provider().describe(pool))).hasSize(3).containsAll(others);

        provider().terminate(pool, List.of("not-an-instance-of-this-pool")); // unknown ids are ignored
        assertThat(provider().describe(pool)).hasSize(3);
    }

    @Test
    void describeAfterTerminateIsEmpty() {
        String pool = newPool();
        assertThat(provider().launch(request(pool, 1))).isNotEmpty();
        provider().terminate(pool);
        assertThat(provider().describe(pool)).isEmpty();
        provider().terminate(pool); // a second terminate is a no-op
        assertNothingLeft();
    }

    @ParameterizedTest
    @EnumSource(ProviderException.Kind.class)
    void everyErrorKindIsClassified(ProviderException.Kind kind) {
        String pool = newPool();
        failNextLaunch(kind);
        Throwable t = catchThrowable(() -> provider().launch(request(pool, 1)));
        assertThat(t).isInstanceOf(ProviderException.class);
        assertThat(((ProviderException) t).kind()).as("kind of: " + t.getMessage()).isEqualTo(kind);
        assertThat(t.getMessage()).isNotBlank();
        clearFailures();
        provider().terminate(pool);
        assertThat(provider().describe(pool)).isEmpty();
    }

    @Test
    void aFailureHalfwayThroughAMultiNodeLaunchLeavesNothingAfterTerminate() {
        String pool = newPool();
        failLaunchAfterFirstInstance();
        assertThat(catchThrowable(() -> provider().launch(request(pool, 2)))).isInstanceOf(ProviderException.class);
        clearFailures();
        provider().terminate(pool);
        assertThat(provider().describe(pool)).isEmpty();
        assertNothingLeft();
    }

    @Test
    void concurrentPoolsOnOneProviderDoNotSeeEachOther() {
        String a = newPool();
        String b = newPool();
        CompletableFuture<List<Instance>> la = CompletableFuture.supplyAsync(() -> provider().launch(request(a, 1)));
        CompletableFuture<List<Instance>> lb = CompletableFuture.supplyAsync(() -> provider().launch(request(b, 2)));
        CompletableFuture.allOf(la, lb).exceptionally(t -> null).join(); // both done before any assertion
        List<Instance> ia = la.join();
        List<Instance> ib = lb.join();
        assertThat(ids(provider().describe(a))).containsExactlyInAnyOrderElementsOf(ids(ia)).hasSize(1);
        assertThat(ids(provider().describe(b))).containsExactlyInAnyOrderElementsOf(ids(ib)).hasSize(2);
        provider().terminate(a);
        assertThat(provider().describe(a)).isEmpty();
        assertThat(provider().describe(b)).hasSize(2)
                .allSatisfy(i -> assertThat(i.status()).isIn(InstanceStatus.PENDING, InstanceStatus.RUNNING));
    }

    private static List<String> ids(List<Instance> instances) {
        return instances.stream().map(Instance::id).toList();
    }
}
