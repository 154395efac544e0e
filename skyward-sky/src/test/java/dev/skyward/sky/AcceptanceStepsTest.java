package dev.skyward.sky;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.NodeInfo;
import dev.skyward.OutputListener;
import dev.skyward.PoolEvent;
import dev.skyward.PoolState;
import dev.skyward.SkywardException;
import dev.skyward.sky.Clouds.Cloud;
import dev.skyward.spi.Provider;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SkyPilot's acceptance steps for a new cloud (its guide's step 7), adapted to ephemeral pools and run
 * on each of the three clouds:
 * <ol>
 * <li>credentials check: {@code skyward check} in a JVM started with no flags, against the three
 * clouds, and with one cloud's token missing: {@code StatusAndDownTest#checkFindsEachCloudsCredentialsAnd
 * SaysWhatToSetForOneThatHasNone};</li>
 * <li>launch one node and run a task, and 3. a second pool while the first is open:
 * {@link #aNodeRunsATaskAndASecondPoolRunsBesideTheFirst};</li>
 * <li>down: {@code skyward down POOL}, {@code --expired} and {@code --all} against the three clouds,
 * each verified gone: {@code StatusAndDownTest} (the CLI and the killed client are JVMs started with
 * no flags, the providers found by name and configured from the environment only);</li>
 * <li>launch with a TTL and see it end by itself: {@link #aNodePastItsMaxLifetimeShutsItselfDown};</li>
 * <li>the same with "down" semantics, the machine gone and no longer billed, before the client closes
 * anything: {@link #aSelfDestructingNodePastItsMaxLifetimeLeavesNothingBilled};</li>
 * <li>a pool across all clouds: {@code SelectionAcrossCloudsTest} (cheapest, first, available, custom)
 * and {@code FailoverAcrossCloudsTest} (capacity on one cloud, and every cloud refusing), each ending
 * with nothing left on any of the three.</li>
 * </ol>
 */
@Timeout(240)
class AcceptanceStepsTest {

    private static final Duration LIFETIME = Duration.ofSeconds(8);

    static Clouds clouds;

    @BeforeAll
    static void start() throws Exception {
        clouds = Clouds.start();
    }

    @AfterAll
    static void stop() {
        if (clouds != null) {
            clouds.close();
        }
    }

    @AfterEach
    void healthyAgain() {
        clouds.reset();
    }

    private static ComputePool.Builder oneNode(Provider provider, Recorded events) {
        return ComputePool.builder().console(false).output(OutputListener.SILENT).listener(events).provider(provider)
                .accelerator("H100").provisionTimeout(Duration.ofMinutes(2));
    }

    @ParameterizedTest
    @EnumSource(Cloud.class)
    void aNodeRunsATaskAndASecondPoolRunsBesideTheFirst(Cloud cloud) {
        Recorded first = new Recorded();
        Recorded second = new Recorded();
        try (ComputePool a = oneNode(clouds.provider(cloud), first).build()) {
            String hostA = a.run(ctx -> System.getProperty("user.name") + " " + ctx.rank() + "/" + ctx.worldSize());
            assertThat(hostA).endsWith(" 0/1");
            try (ComputePool b = oneNode(clouds.provider(cloud), second).build()) {
                assertThat(b.id()).isNotEqualTo(a.id());
                String hostB = b.run(ctx -> System.getProperty("user.name") + " " + ctx.rank() + "/" + ctx.worldSize());
                assertThat(hostB).as("the second pool has its own machine").isNotEqualTo(hostA).endsWith(" 0/1");
                assertThat(b.nodes()).extracting(NodeInfo::instanceId)
                        .doesNotContainAnyElementsOf(a.nodes().stream().map(NodeInfo::instanceId).toList());
                assertThat(clouds.billedMachines(cloud)).hasSize(2);
            }
            // Closing the second pool left the first alone.
            assertThat(clouds.billedMachines(cloud)).hasSize(1);
            int three = a.run(ctx -> 1 + 2);
            assertThat(three).isEqualTo(3);
        }
        clouds.assertNothingLeftAnywhere(first.poolId(), second.poolId());
    }

    /**
     * What each cloud does when a node's lifetime is over and its agent runs the provider's expiry
     * command: DigitalOcean and Verda nodes power off (the machine stops; the droplet or instance stays,
     * still billed, until the client's close or a later client deletes it). AWS has no "stopped" case:
     * its instances are launched with shutdown behaviour terminate (see the down test).
     */
    @ParameterizedTest
    @EnumSource(value = Cloud.class, names = {"DIGITALOCEAN", "VERDA"})
    void aNodePastItsMaxLifetimeShutsItselfDown(Cloud cloud) throws Exception {
        Recorded events = new Recorded();
        ComputePool pool = oneNode(clouds.provider(cloud), events).maxNodeLifetime(LIFETIME).build();
        try {
            int one = pool.run(ctx -> 1);
            assertThat(one).isEqualTo(1);
            String off = cloud == Cloud.DIGITALOCEAN ? "off" : "offline";
            await(() -> clouds.billedMachines(cloud).equals(List.of(off)), "the machine powered off by itself");
            await(() -> pool.nodes().get(0).isLost(), "the pool saw its node go");
            assertThat(events.events).anySatisfy(e -> assertThat(e).isInstanceOf(PoolEvent.NodeLost.class));
        } finally {
            closeAfterTheMachineEnded(pool);
        }
        // A stopped machine is still billed: the client's close deleted it.
        clouds.assertNothingLeftAnywhere(events.poolId());
    }

    /**
     * The same with "down" semantics: past its lifetime the node ends its own machine for good, before
     * the client does anything — AWS by shutdown behaviour terminate, DigitalOcean and Verda nodes
     * deleting their own droplet or instance with the self-destruct grant their provider was built with.
     */
    @ParameterizedTest
    @EnumSource(Cloud.class)
    void aSelfDestructingNodePastItsMaxLifetimeLeavesNothingBilled(Cloud cloud) throws Exception {
        Provider provider = switch (cloud) {
            case AWS -> clouds.aws();
            case DIGITALOCEAN -> clouds.digitalOcean.selfDestructing().build();
            case VERDA -> clouds.verda.selfDestructing().build();
        };
        Recorded events = new Recorded();
        ComputePool pool = oneNode(provider, events).maxNodeLifetime(LIFETIME).build();
        try {
            int one = pool.run(ctx -> 1);
            assertThat(one).isEqualTo(1);
            assertThat(clouds.billedMachines(cloud)).hasSize(1);
            await(() -> clouds.billedMachines(cloud).isEmpty(), "the node ended its own machine");
            if (cloud == Cloud.AWS) {
                String instance = pool.nodes().get(0).instanceId();
                assertThat(clouds.aws.instances(events.poolId(), "terminated")).extracting(i -> i.instanceId())
                        .as("terminated, not stopped").containsExactly(instance.substring(instance.indexOf('/') + 1));
            }
        } finally {
            closeAfterTheMachineEnded(pool);
        }
        clouds.assertNothingLeftAnywhere(events.poolId());
    }

    /**
     * Closes a pool whose only machine ended itself. KNOWN ISSUE (engine, not the clouds): close() then
     * throws "agent pid N on HOST ... is still running", because SshStartedAgent.destroy cannot reach a
     * host that no longer exists and reports the agent as not gone. The fakes' state, asserted after
     * this, proves nothing is left. The fix belongs in EnginePool.shutDown (an agent whose machine the
     * provider verified terminated is gone with it), which the node-replacement branch is rewriting;
     * when it lands, this becomes a plain close() and must not throw.
     */
    private static void closeAfterTheMachineEnded(ComputePool pool) {
        try {
            pool.close();
        } catch (SkywardException e) {
            assertThat(e.getMessage()).as("only the agent of the machine that ended itself is reported")
                    .contains("closed, but these remain").contains("agent pid").contains("is still running")
                    .doesNotContain(" instance ");
        }
        assertThat(pool.state()).isEqualTo(PoolState.CLOSED);
    }

    private static void await(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + LIFETIME.plusSeconds(60).toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting until " + what).isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
