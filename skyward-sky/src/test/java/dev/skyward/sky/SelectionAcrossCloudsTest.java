package dev.skyward.sky;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.NodeInfo;
import dev.skyward.OutputListener;
import dev.skyward.Selection;
import dev.skyward.sky.CatalogRows.Row;
import dev.skyward.sky.Clouds.Cloud;
import dev.skyward.sky.Clouds.Failure;
import dev.skyward.spi.Offer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One pool given AWS, DigitalOcean and Verda at once chooses its offer by the selection rule: the
 * expected choice is worked out here from the repository's catalog files, and the pool then really
 * runs a task on that cloud's instance (over SSH to a loopback host, through the agent).
 */
@Timeout(240)
class SelectionAcrossCloudsTest {

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

    private static ComputePool.Builder h100(Recorded events) {
        return ComputePool.builder().console(false).output(OutputListener.SILENT).listener(events)
                .accelerator("H100").provisionTimeout(Duration.ofMinutes(2));
    }

    private static void assertIs(Offer offer, Row row) {
        assertThat(offer.provider()).isEqualTo(row.provider());
        assertThat(offer.instanceType()).isEqualTo(row.instanceType());
        assertThat(offer.region()).isEqualTo(row.region());
        assertThat(offer.onDemandPrice()).isEqualTo(row.onDemand());
    }

    /** Runs a task and returns the provider of the node it ran on. */
    private static String runsOn(ComputePool pool) {
        String user = pool.run(ctx -> System.getProperty("user.name"));
        assertThat(user).as("the task ran as the instance host's own user").isNotEqualTo("root");
        return pool.nodes().stream().map(NodeInfo::provider).distinct().reduce((a, b) -> a + "," + b).orElseThrow();
    }

    @Test
    void cheapestTriesTheLowestPricedRowOfTheThreeCatalogsFirstAndRunsThere() {
        List<Row> offered = CatalogRows.offered("H100", 1);
        assertThat(offered).extracting(Row::provider).as("every cloud has an H100 offer")
                .contains("aws", "digitalocean", "verda");
        List<Row> cheapest = CatalogRows.cheapest(offered, false, r -> true);
        Recorded events = new Recorded();
        try (ComputePool pool = h100(events).provider(clouds.all()).selection(Selection.CHEAPEST).build()) {
            assertThat(runsOn(pool)).isEqualTo(cheapest.get(0).provider());
        }
        Offer first = events.tried().get(0);
        assertThat(cheapest).as("the rows at the lowest price").anySatisfy(r -> assertIs(first, r));
        assertThat(offered).as("no row is cheaper than the one chosen")
                .allSatisfy(r -> assertThat(r.onDemand()).isGreaterThanOrEqualTo(first.onDemandPrice()));
        assertThat(events.failures()).isEmpty();
        clouds.assertNothingLeftAnywhere(events.poolId());
    }

    @Test
    void firstTriesTheProvidersInTheOrderGivenEachInItsCatalogsOrder() {
        // DigitalOcean first, then AWS, then Verda (the cheapest, so CHEAPEST would pick it). DigitalOcean
        // has no capacity: every DigitalOcean row is tried in file order, then AWS's first row runs.
        clouds.fail(Cloud.DIGITALOCEAN, Failure.CAPACITY);
        List<Row> offered = CatalogRows.offered("H100", 1);
        List<Row> expected = new java.util.ArrayList<>(offered.stream()
                .filter(r -> r.provider().equals("digitalocean")).toList());
        expected.add(offered.stream().filter(r -> r.provider().equals("aws")).findFirst().orElseThrow());
        Recorded events = new Recorded();
        try (ComputePool pool = h100(events).provider(clouds.digitalOcean(), clouds.aws(), clouds.verda())
                .selection(Selection.FIRST).build()) {
            assertThat(runsOn(pool)).isEqualTo("aws");
        }
        List<Offer> tried = events.tried();
        assertThat(tried).hasSameSizeAs(expected);
        for (int i = 0; i < tried.size(); i++) {
            assertIs(tried.get(i), expected.get(i));
        }
        assertThat(events.failures()).extracting(f -> f.offer().provider()).containsOnly("digitalocean");
        assertThat(events.failures()).allSatisfy(f -> assertThat(f.reason()).startsWith("capacity:"));
        clouds.assertNothingLeftAnywhere(events.poolId());
    }

    @Test
    void availableGoesByWhatEachCloudReportsLiveNotByPrice() {
        // Verda (the cheapest) reports nothing in /instance-availability; DigitalOcean's /v2/sizes says
        // the H100 size is unavailable; AWS's DescribeInstanceTypeOfferings lists p5.4xlarge: AWS wins,
        // the dearest of the three, at its first try.
        clouds.fail(Cloud.VERDA, Failure.CAPACITY);
        Row doH100 = CatalogRows.offered("H100", 1).stream().filter(r -> r.provider().equals("digitalocean"))
                .findFirst().orElseThrow();
        clouds.digitalOcean.sizeAvailable(doH100.instanceType(), false);
        Recorded onAws = new Recorded();
        try (ComputePool pool = h100(onAws).provider(clouds.all()).selection(Selection.AVAILABLE).build()) {
            assertThat(runsOn(pool)).isEqualTo("aws");
        }
        assertThat(onAws.tried().get(0).provider()).isEqualTo("aws");
        assertThat(onAws.failures()).isEmpty();
        clouds.assertNothingLeftAnywhere(onAws.poolId());

        // Now AWS withdraws p5.4xlarge from every zone and DigitalOcean has the size again: the cheapest
        // DigitalOcean row runs, still with no failed try.
        clouds.digitalOcean.sizeAvailable(doH100.instanceType(), true);
        Row awsH100 = CatalogRows.offered("H100", 1).stream().filter(r -> r.provider().equals("aws"))
                .findFirst().orElseThrow();
        clouds.aws.withdrawOffering(awsH100.instanceType(), "");
        List<Row> cheapestOnDo = CatalogRows.cheapest(CatalogRows.offered("H100", 1), false,
                r -> r.provider().equals("digitalocean"));
        Recorded onDo = new Recorded();
        try (ComputePool pool = h100(onDo).provider(clouds.all()).selection(Selection.AVAILABLE).build()) {
            assertThat(runsOn(pool)).isEqualTo("digitalocean");
        }
        assertThat(cheapestOnDo).anySatisfy(r -> assertIs(onDo.tried().get(0), r));
        assertThat(onDo.failures()).isEmpty();
        clouds.assertNothingLeftAnywhere(onDo.poolId());
    }

    @Test
    void aCustomSelectionTriesOnlyTheOffersItReturnsInItsOrder() {
        // (Not atl1: DigitalOcean's published spec, which the fake validates against, has no atl1 in its
        // region enum although the catalog and the real API have it.)
        Selection newYorkOnly = Selection.custom("new york only", offers -> offers.stream()
                .filter(o -> o.region().equals("nyc2")).toList());
        Recorded events = new Recorded();
        try (ComputePool pool = h100(events).provider(clouds.all()).selection(newYorkOnly).build()) {
            assertThat(runsOn(pool)).isEqualTo("digitalocean");
            assertThat(clouds.digitalOcean.droplets()).singleElement().asString().contains(" nyc2 ");
        }
        assertThat(events.tried()).singleElement().satisfies(o -> {
            assertThat(o.provider()).isEqualTo("digitalocean");
            assertThat(o.region()).isEqualTo("nyc2");
        });
        clouds.assertNothingLeftAnywhere(events.poolId());
    }
}
