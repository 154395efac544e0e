package dev.skyward.offer;

import static dev.skyward.spi.ProviderException.Kind.CAPACITY;
import static dev.skyward.spi.ProviderException.Kind.CREDENTIALS;
import static dev.skyward.spi.ProviderException.Kind.QUOTA;
import static dev.skyward.spi.ProviderException.Kind.TRANSIENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.Allocation;
import dev.skyward.ComputePool;
import dev.skyward.PoolConfigurationException;
import dev.skyward.PoolEvent;
import dev.skyward.ProvisioningException;
import dev.skyward.Selection;
import dev.skyward.offer.ScriptedProvider.Step;
import dev.skyward.spi.InstanceStatus;
import dev.skyward.spi.PoolSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The failover engine: order of attempts, what each error rules out, cleanup, and the final report. */
class ProvisionerTest {

    private static final String POOL = "pool-1";

    private final Provisioner provisioner = new Provisioner(2, Duration.ofMillis(1));
    private final List<PoolEvent> events = new CopyOnWriteArrayList<>();

    private static PoolSpec spec(Consumer<ComputePool.Builder> settings) {
        ComputePool.Builder b = ComputePool.builder().console(false).accelerator("H100:8").nodes(2);
        settings.accept(b);
        return b.spec();
    }

    private Provisioned provision(PoolSpec spec) {
        return provisioner.provision(spec, POOL, "ssh-ed25519 AAAA test", events::add);
    }

    @Test
    void failsOverThroughCapacityQuotaCredentialAndCrashesAndCleansUpEveryAttempt() {
        var a = new ScriptedProvider("a")
                .offer("a1", "H100", 8, "r1", 20)   // capacity error after creating one of two instances
                .offer("a1", "H100", 8, "r2", 20)   // quota: rules out region r2 of provider a
                .offer("a2", "H100", 8, "r2", 21)   // skipped: r2 is blocked
                .offer("a2", "H100", 8, "r1", 21)   // credentials: rules out provider a
                .offer("a3", "H100", 8, "r3", 22)   // skipped: provider a is blocked
                .onLaunch("a1@r1", Step.failAfter(1, CAPACITY, "InsufficientInstanceCapacity: no H100 in r1"))
                .onLaunch("a1@r2", Step.fail(QUOTA, "VcpuLimitExceeded"))
                .onLaunch("a2@r1", Step.fail(CREDENTIALS, "AuthFailure"));
        var b = new ScriptedProvider("b")
                .offer("b1", "H100", 8, "r1", 30)   // crashes after creating both instances
                .offer("b1", "H100", 8, "r2", 30)   // returns one of two instances
                .onLaunch("b1@r1", Step.crashAfter(2, new IllegalStateException("boom")))
                .onLaunch("b1@r2", Step.returnOnly(1));
        var c = new ScriptedProvider("c").offer("c1", "H100", 8, "x", 40);

        Provisioned p = provision(spec(s -> s.provider(a, b, c)));

        assertThat(p.provider()).isSameAs(c);
        assertThat(p.offer().instanceType()).isEqualTo("c1");
        assertThat(p.instances()).hasSize(2);
        assertThat(p.hourlyPrice()).isEqualTo(80.0);
        assertThat(a.launches()).containsExactly("a1@r1", "a1@r2", "a2@r1");
        assertThat(b.launches()).containsExactly("b1@r1", "b1@r2");
        // Every instance a failed attempt created is gone.
        assertThat(a.createdCount()).isEqualTo(1);
        assertThat(b.createdCount()).isEqualTo(3);
        assertThat(a.liveInstances()).isEmpty();
        assertThat(b.liveInstances()).isEmpty();
        assertThat(c.liveInstances()).hasSize(2);
        assertThat(events).filteredOn(PoolEvent.AttemptFailed.class::isInstance)
                .extracting(e -> ((PoolEvent.AttemptFailed) e).reason())
                .containsExactly(
                        "capacity: InsufficientInstanceCapacity: no H100 in r1",
                        "quota: VcpuLimitExceeded",
                        "credentials: AuthFailure",
                        "error: java.lang.IllegalStateException: boom",
                        "error: launch returned 1 of 2 instances");
        assertThat(events).filteredOn(PoolEvent.OfferChosen.class::isInstance)
                .extracting(e -> ((PoolEvent.OfferChosen) e).offer().toString())
                .containsExactly("a/a1@r1", "a/a1@r2", "a/a2@r1", "b/b1@r1", "b/b1@r2", "c/c1@x");
    }

    @Test
    void whenEveryOfferFailsTheErrorListsEachAttemptInOrder() {
        var a = new ScriptedProvider("a")
                .offer("a1", "H100", 8, "r1", 20)
                .offer("a1", "H100", 8, "r2", 20)
                .offer("a2", "H100", 8, "r2", 25)
                .onLaunch("a1@r1", Step.failAfter(1, CAPACITY, "InsufficientInstanceCapacity"))
                .onLaunch("a1@r2", Step.failAfter(2, QUOTA, "VcpuLimitExceeded: limit 192"));
        var b = new ScriptedProvider("b").offer("b1", "H100", 8, "tor1", 23.92)
                .onLaunch("b1@tor1", Step.fail(CREDENTIALS, "401 unauthorized: Unable to authenticate you."));

        assertThatThrownBy(() -> provision(spec(s -> s.provider(a, b))))
                .isInstanceOf(ProvisioningException.class)
                .hasMessage("""
                        could not provision 2 x H100:8 on-demand (selection first): every matching offer failed; \
                        3 attempts:
                          1. a/a1@r1 on-demand x2 ($40.00/h): capacity: InsufficientInstanceCapacity
                          2. a/a1@r2 on-demand x2 ($40.00/h): quota: VcpuLimitExceeded: limit 192
                          3. b/b1@tor1 on-demand x2 ($47.84/h): credentials: 401 unauthorized: Unable to \
                        authenticate you.
                          (1 more offer skipped: ruled out by the failures above)""")
                .satisfies(e -> assertThat(((ProvisioningException) e).attempts()).hasSize(3));
        assertThat(a.createdCount()).isEqualTo(3);
        assertThat(a.liveInstances()).isEmpty();
        assertThat(b.liveInstances()).isEmpty();
    }

    @Test
    void aProviderFailingItsCredentialsCheckIsSkippedAndReportedAsAnAttempt() {
        var a = new ScriptedProvider("a").offer("a1", "H100", 8, "r1", 1)
                .failCheck("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        var b = new ScriptedProvider("b").offer("b1", "H100", 8, "r1", 9);

        Provisioned p = provision(spec(s -> s.provider(a, b).selection(Selection.CHEAPEST)));

        assertThat(p.provider()).isSameAs(b);
        assertThat(a.launches()).isEmpty();
        assertThat(events).filteredOn(PoolEvent.AttemptFailed.class::isInstance)
                .extracting(e -> ((PoolEvent.AttemptFailed) e).reason())
                .containsExactly("a: credentials: no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    }

    @Test
    void onlyProvidersWithoutCredentialsGiveAnErrorNamingWhatToSet() {
        var a = new ScriptedProvider("a").offer("a1", "H100", 8, "r1", 1).failCheck("set A_TOKEN");

        assertThatThrownBy(() -> provision(spec(s -> s.provider(a))))
                .isInstanceOf(ProvisioningException.class)
                .hasMessageContaining("1 attempt:\n  1. a: credentials: set A_TOKEN");
    }

    @Test
    void aTransientErrorIsRetriedOnTheSameOfferThenSucceeds() {
        var a = new ScriptedProvider("a").offer("a1", "H100", 8, "r1", 20)
                .onLaunch("a1@r1", Step.failAfter(1, TRANSIENT, "503 Service Unavailable"),
                        Step.fail(TRANSIENT, "RequestLimitExceeded"));

        Provisioned p = provision(spec(s -> s.provider(a)));

        assertThat(a.launches()).containsExactly("a1@r1", "a1@r1", "a1@r1");
        assertThat(p.instances()).hasSize(2);
        assertThat(a.liveInstances()).hasSize(2);
        assertThat(events).filteredOn(PoolEvent.OfferChosen.class::isInstance).hasSize(1);
        assertThat(events).filteredOn(PoolEvent.AttemptFailed.class::isInstance).isEmpty();
    }

    @Test
    void aTransientErrorThatPersistsSkipsTheOfferAfterTheRetries() {
        var a = new ScriptedProvider("a").offer("a1", "H100", 8, "r1", 20).offer("a2", "H100", 8, "r1", 22)
                .onLaunch("a1@r1", Step.fail(TRANSIENT, "503"), Step.fail(TRANSIENT, "503"),
                        Step.fail(TRANSIENT, "503"));

        Provisioned p = provision(spec(s -> s.provider(a)));

        assertThat(a.launches()).containsExactly("a1@r1", "a1@r1", "a1@r1", "a2@r1");
        assertThat(p.offer().instanceType()).isEqualTo("a2");
        assertThat(events).filteredOn(PoolEvent.AttemptFailed.class::isInstance)
                .extracting(e -> ((PoolEvent.AttemptFailed) e).reason())
                .containsExactly("transient: 503 (gave up after 3 tries)");
    }

    @Test
    void spotCapacityFailureFallsBackToOnDemandWithSpotIfAvailable() {
        var a = new ScriptedProvider("a").offer("x", "H100", 8, "r1", 10, 3)
                .onLaunch("x@r1/spot", Step.fail(CAPACITY, "InsufficientInstanceCapacity (spot)"));
        var b = new ScriptedProvider("b").offer("y", "H100", 8, "r1", 8);

        Provisioned p = provision(spec(s -> s.provider(a, b).selection(Selection.CHEAPEST)
                .allocation(Allocation.SPOT_IF_AVAILABLE)));

        // Spot first; then on-demand, cheapest first: b's y (8) before a's x (10).
        assertThat(a.launches()).containsExactly("x@r1/spot");
        assertThat(p.provider()).isSameAs(b);
        assertThat(p.spot()).isFalse();
        assertThat(p.hourlyPrice()).isEqualTo(16.0);
    }

    @Test
    void spotCapacityDoesNotBlockTheSameOfferOnDemand() {
        var a = new ScriptedProvider("a").offer("x", "H100", 8, "r1", 10, 3)
                .onLaunch("x@r1/spot", Step.fail(CAPACITY, "no spot capacity"));

        Provisioned p = provision(spec(s -> s.provider(a).allocation(Allocation.SPOT_IF_AVAILABLE)));

        assertThat(a.launches()).containsExactly("x@r1/spot", "x@r1");
        assertThat(p.spot()).isFalse();
    }

    @Test
    void availableTriesOffersWithLiveCapacityFirstCheapestAmongThemThenUnknownThenFull() {
        var a = new ScriptedProvider("a")
                .offer("a1", "H100", 8, "r1", 5)
                .offer("a2", "H100", 8, "r1", 9)
                .offer("a3", "H100", 8, "r1", 7)
                .capacity(Map.of("a1@r1", false, "a2@r1", true, "a3@r1", true))
                .onLaunch("a3@r1", Step.fail(CAPACITY, "gone meanwhile"))
                .onLaunch("a2@r1", Step.fail(CAPACITY, "gone too"));
        var b = new ScriptedProvider("b").offer("b1", "H100", 8, "r1", 1)
                .onLaunch("b1@r1", Step.fail(CAPACITY, "full"));

        Provisioned p = provision(spec(s -> s.provider(a.withLiveCapacity(), b).selection(Selection.AVAILABLE)));

        assertThat(events).filteredOn(PoolEvent.OfferChosen.class::isInstance)
                .extracting(e -> ((PoolEvent.OfferChosen) e).offer().toString())
                .containsExactly("a/a3@r1", "a/a2@r1", "b/b1@r1", "a/a1@r1");
        assertThat(p.offer().instanceType()).isEqualTo("a1");
    }

    @Test
    void aCustomSelectionDecidesWhichOffersAreTriedAndInWhatOrder() {
        var a = new ScriptedProvider("a").offer("a1", "H100", 8, "us-east-1", 5).offer("a2", "H100", 8, "eu-west-1", 9);

        Provisioned p = provision(spec(s -> s.provider(a).selection(Selection.custom("prefer-eu",
                offers -> offers.stream().filter(o -> o.region().startsWith("eu")).toList()))));

        assertThat(a.launches()).containsExactly("a2@eu-west-1");
        assertThat(p.offer().region()).isEqualTo("eu-west-1");
    }

    @Test
    void theDeadlineStopsAHangingLaunchAndCleansUpWhatItCreated() {
        var a = new ScriptedProvider("a").offer("a1", "H100", 8, "r1", 5).offer("a2", "H100", 8, "r1", 6)
                .onLaunch("a1@r1", Step.hang(1, 30_000));
        long start = System.nanoTime();

        assertThatThrownBy(() -> provision(spec(s -> s.provider(a).provisionTimeout(Duration.ofMillis(300)))))
                .isInstanceOf(ProvisioningException.class)
                .hasMessageContaining("the provisioning deadline (PT0.3S) passed")
                .hasMessageContaining("a/a1@r1 on-demand x2 ($10.00/h): deadline: launch still running");

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(a.launches()).containsExactly("a1@r1");
        assertThat(a.createdCount()).isEqualTo(1);
        assertThat(a.liveInstances()).isEmpty();
    }

    @Test
    void launchMayReturnPendingInstancesAndTheEngineWaitsUntilDescribeReportsThemRunningWithAnEndpoint() {
        var a = new ScriptedProvider("a").offer("a1", "H100", 8, "r1", 5).boots(3, InstanceStatus.RUNNING);

        Provisioned p = provision(spec(s -> s.provider(a)));

        assertThat(p.instances()).hasSize(2).allSatisfy(i -> {
            assertThat(i.status()).isEqualTo(InstanceStatus.RUNNING);
            assertThat(i.ssh()).isNotNull();
        });
        // Each instance was asked about until it left PENDING: three pending answers, then running.
        assertThat(a.describesWhilePending()).hasSize(2).allSatisfy((id, n) -> assertThat(n).isEqualTo(4));
    }

    @Test
    void anInstanceThatTurnsNoCapacityAfterAnAcceptedLaunchIsACapacityFailureAndTheNextOfferRuns() {
        var a = new ScriptedProvider("a").offer("a1", "H100", 8, "r1", 5).boots(1, InstanceStatus.NO_CAPACITY);
        var b = new ScriptedProvider("b").offer("b1", "H100", 8, "r1", 6);

        Provisioned p = provision(spec(s -> s.provider(a, b)));

        assertThat(p.provider()).isSameAs(b);
        assertThat(a.liveInstances()).isEmpty();
        assertThat(events).filteredOn(PoolEvent.AttemptFailed.class::isInstance)
                .extracting(e -> ((PoolEvent.AttemptFailed) e).reason())
                .singleElement().asString().startsWith("capacity: a accepted instance a-1 but had no capacity");
    }

    @Test
    void anInstanceThatFailsWhileBootingFailsTheAttemptAsAnError() {
        var a = new ScriptedProvider("a").offer("a1", "H100", 8, "r1", 5).boots(0, InstanceStatus.ERROR);
        var b = new ScriptedProvider("b").offer("b1", "H100", 8, "r1", 6);

        Provisioned p = provision(spec(s -> s.provider(a, b)));

        assertThat(p.provider()).isSameAs(b);
        assertThat(a.liveInstances()).isEmpty();
        assertThat(events).filteredOn(PoolEvent.AttemptFailed.class::isInstance)
                .extracting(e -> ((PoolEvent.AttemptFailed) e).reason())
                .singleElement().asString().isEqualTo("error: instance a-1 on a ended ERROR while starting");
    }

    @Test
    void instancesStillBootingAtTheDeadlineFailWithAMessageSayingSo() {
        var a = new ScriptedProvider("a").offer("a1", "H100", 8, "r1", 5).boots(1_000, InstanceStatus.RUNNING);

        assertThatThrownBy(() -> provision(spec(s -> s.provider(a).provisionTimeout(Duration.ofMillis(800)))))
                .isInstanceOf(ProvisioningException.class)
                .hasMessageContaining("deadline: instances not running with an SSH endpoint when the provisioning "
                        + "deadline passed");
        assertThat(a.liveInstances()).isEmpty();
    }

    @Test
    void instancesThatSurviveTerminateStopTheSearchAtOnce() {
        var a = new ScriptedProvider("a").offer("a1", "H100", 8, "r1", 5).terminateLeaves()
                .onLaunch("a1@r1", Step.failAfter(1, CAPACITY, "InsufficientInstanceCapacity"));
        var b = new ScriptedProvider("b").offer("b1", "H100", 8, "r1", 6);

        assertThatThrownBy(() -> provision(spec(s -> s.provider(a, b))))
                .isInstanceOf(ProvisioningException.class)
                .hasMessageContaining("cleaning up after a failed attempt on a failed")
                .hasMessageContaining("cleanup: instances still there after terminate: [a-1 RUNNING]; terminate "
                        + "them by hand (they are tagged with pool id pool-1)");
        assertThat(b.launches()).isEmpty();
    }

    @Test
    void noMatchingOfferIsAConfigurationErrorSayingWhichFilterRemovedEverything() {
        var a = new ScriptedProvider("a").offer("h1", "H100", 1, "r1", 2).offer("h2", "H100", 2, "r1", 4)
                .offer("h4", "H100", 4, "r1", 8).offer("h8", "H100", 8, "r1", 16);

        assertThatThrownBy(() -> provision(spec(s -> s.provider(a).accelerator("H100:3"))))
                .isInstanceOf(PoolConfigurationException.class)
                .hasMessageStartingWith("no provider offers H100:3; counts offered: 1, 2, 4, 8");
        assertThatThrownBy(() -> provision(spec(s -> s.provider(a).accelerator("H100:8").maxHourlyPrice(10))))
                .isInstanceOf(PoolConfigurationException.class)
                .hasMessageStartingWith("no H100:8 offer costs at most $10.00/h per node; the cheapest is $16.00/h "
                        + "(a/h8@r1 on-demand)");
        assertThatThrownBy(() -> provision(spec(s -> s.provider(a).allocation(Allocation.SPOT))))
                .isInstanceOf(PoolConfigurationException.class)
                .hasMessageStartingWith("no H100:8 offer has a spot price");
        assertThat(a.launches()).isEmpty();
    }

    @Test
    void aMisspelledAcceleratorFailsBeforeAnythingIsCheckedOrLaunched() {
        var a = new ScriptedProvider("a").offer("h1", "H100", 1, "r1", 2);

        assertThatThrownBy(() -> provision(spec(s -> s.provider(a).accelerator("H10"))))
                .isInstanceOf(UnknownAcceleratorException.class)
                .isInstanceOf(PoolConfigurationException.class)
                .hasMessage("unknown accelerator 'H10'; did you mean H100, H200?");
        assertThat(a.launches()).isEmpty();
    }

    @Test
    void providerSpellingsOfTheAcceleratorAreNormalizedBeforeMatching() {
        var a = new ScriptedProvider("a").offer("h8", "H100", 8, "r1", 16);
        List<String> tried = new ArrayList<>();

        Provisioned p = provisioner.provision(spec(s -> s.provider(a).accelerator("nvidia_h100:8")), POOL, null,
                e -> tried.add(e.toString()));

        assertThat(p.offer().instanceType()).isEqualTo("h8");
        assertThat(Provisioner.query(spec(s -> s.accelerator("8x H100 SXM5 80GB"))).accelerator().toString())
                .isEqualTo("H100:8");
    }

    @Test
    void aFailingEventListenerDoesNotBreakProvisioning() {
        var a = new ScriptedProvider("a").offer("h8", "H100", 8, "r1", 16);

        Provisioned p = provisioner.provision(spec(s -> s.provider(a)), POOL, null, e -> {
            throw new IllegalStateException("listener bug");
        });

        assertThat(p.instances()).hasSize(2);
    }
}
