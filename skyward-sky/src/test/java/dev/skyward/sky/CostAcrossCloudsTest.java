package dev.skyward.sky;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.skyward.Allocation;
import dev.skyward.ComputePool;
import dev.skyward.NodeCost;
import dev.skyward.NodeInfo;
import dev.skyward.OutputListener;
import dev.skyward.PoolEvent;
import dev.skyward.Selection;
import dev.skyward.sky.CatalogRows.Row;
import dev.skyward.sky.Clouds.Cloud;
import dev.skyward.sky.Clouds.Failure;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a pool cost, as its Closed event tells listeners: each machine at the price actually paid for it
 * (spot or on-demand, from the catalog row it was bought from) over its own launch-to-termination time,
 * summed per provider.
 */
@Timeout(240)
class CostAcrossCloudsTest {

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

    private static PoolEvent.Closed run(ComputePool.Builder builder, Recorded events) {
        try (ComputePool pool = builder.console(false).output(OutputListener.SILENT).listener(events)
                .accelerator("H100").provisionTimeout(Duration.ofMinutes(2)).build()) {
            assertThat(pool.broadcast(ctx -> ctx.rank())).hasSize(pool.nodes().size());
            assertThat(pool.nodes()).extracting(NodeInfo::provider).isNotEmpty();
        }
        return events.closed();
    }

    /** The bill adds up: each node's cost is its price times its own uptime, and the pool's is their sum. */
    private static void assertConsistent(PoolEvent.Closed closed) {
        assertThat(closed.nodes()).isNotEmpty().allSatisfy(n -> {
            assertThat(n.uptime()).isPositive().isLessThanOrEqualTo(closed.uptime());
            assertThat(n.estimatedCost()).isCloseTo(n.hourlyPrice() * n.uptime().toMillis() / 3_600_000.0,
                    within(1e-12));
        });
        assertThat(closed.estimatedCost()).isCloseTo(closed.nodes().stream().mapToDouble(NodeCost::estimatedCost)
                .sum(), within(1e-12));
        assertThat(closed.costByProvider().values().stream().mapToDouble(Double::doubleValue).sum())
                .isCloseTo(closed.estimatedCost(), within(1e-12));
    }

    @Test
    void theSameOfferCostsItsSpotPriceOnSpotAndItsListPriceOnDemand() {
        Row aws = CatalogRows.offered("H100", 1).stream().filter(r -> r.provider().equals("aws") && r.hasSpot())
                .findFirst().orElseThrow();
        Recorded spotEvents = new Recorded();
        PoolEvent.Closed spot = run(ComputePool.builder().provider(clouds.aws()).allocation(Allocation.SPOT),
                spotEvents);
        clouds.assertNothingLeftAnywhere(spotEvents.poolId());
        Recorded onDemandEvents = new Recorded();
        PoolEvent.Closed onDemand = run(ComputePool.builder().provider(clouds.aws())
                .allocation(Allocation.ON_DEMAND), onDemandEvents);

        assertThat(spot.nodes()).singleElement().satisfies(n -> {
            assertThat(n.provider()).isEqualTo("aws");
            assertThat(n.instanceType()).isEqualTo(aws.instanceType());
            assertThat(n.spot()).isTrue();
            assertThat(n.hourlyPrice()).isEqualTo(aws.spot());
        });
        assertThat(onDemand.nodes()).singleElement().satisfies(n -> {
            assertThat(n.instanceType()).isEqualTo(aws.instanceType());
            assertThat(n.spot()).isFalse();
            assertThat(n.hourlyPrice()).isEqualTo(aws.onDemand());
        });
        assertThat(spot.hourlyPrice()).isEqualTo(aws.spot()).isLessThan(onDemand.hourlyPrice());
        assertThat(onDemand.hourlyPrice()).isEqualTo(aws.onDemand());
        assertConsistent(spot);
        assertConsistent(onDemand);
        clouds.assertNothingLeftAnywhere(onDemandEvents.poolId());
    }

    @Test
    void aPoolThatFailedOverIsBilledPerProviderForTheMachinesItKept() {
        // Spot where there is one: Verda has the cheapest spot H100 but no capacity; the next cheapest
        // spot row (DigitalOcean sells no spot) runs both nodes, and only that provider is billed.
        clouds.fail(Cloud.VERDA, Failure.CAPACITY);
        List<Row> offered = CatalogRows.offered("H100", 1);
        Row next = CatalogRows.cheapest(offered, true, r -> !r.provider().equals("verda")).get(0);
        Recorded events = new Recorded();
        PoolEvent.Closed closed = run(ComputePool.builder().provider(clouds.all()).nodes(2)
                .selection(Selection.CHEAPEST).allocation(Allocation.SPOT_IF_AVAILABLE), events);

        assertThat(events.failures()).isNotEmpty().allSatisfy(f -> assertThat(f.offer().provider()).isEqualTo("verda"));
        assertThat(closed.costByProvider()).containsOnlyKeys(next.provider());
        assertThat(closed.nodes()).hasSize(2).allSatisfy(n -> {
            assertThat(n.provider()).isEqualTo(next.provider());
            assertThat(n.spot()).isTrue();
            assertThat(n.hourlyPrice()).isEqualTo(next.spot());
        });
        assertThat(closed.nodes()).extracting(NodeCost::instanceId).doesNotHaveDuplicates();
        assertThat(closed.hourlyPrice()).isCloseTo(2 * next.spot(), within(1e-9));
        assertConsistent(closed);
        clouds.assertNothingLeftAnywhere(events.poolId());
    }
}
