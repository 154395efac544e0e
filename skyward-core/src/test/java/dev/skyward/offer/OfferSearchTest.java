package dev.skyward.offer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.Allocation;
import dev.skyward.Selection;
import dev.skyward.spi.Offer;
import dev.skyward.spi.OfferQuery;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Selection over the real built-in catalogs. The expected answers were read off catalogs/*.csv by
 * hand; each test says which rows decide it.
 */
class OfferSearchTest {

    @TempDir
    static Path noOverrides;

    private static List<Offer> all;

    @BeforeAll
    static void loadBuiltInCatalogs() {
        System.setProperty(Catalog.DIR_PROPERTY, noOverrides.toString());
        all = offers("aws", "digitalocean", "verda");
    }

    @AfterAll
    static void clearOverride() {
        System.clearProperty(Catalog.DIR_PROPERTY);
    }

    private static List<Offer> offers(String... providers) {
        List<Offer> offers = new ArrayList<>();
        for (String p : providers) {
            offers.addAll(Catalog.load(p).offers());
        }
        return offers;
    }

    private static OfferQuery query(String accelerator, int nodes, Allocation allocation) {
        return new OfferQuery(AcceleratorNames.builtIn().parse(accelerator), nodes, allocation, 0, 0, List.of(),
                Double.POSITIVE_INFINITY);
    }

    private static Candidate cheapest(List<Offer> offers, OfferQuery q) {
        return OfferSearch.select(offers, q, Set.of(), Selection.CHEAPEST).get(0);
    }

    @Test
    void cheapestH100x8OnDemandIsVerdaInFin03() {
        // aws p5.48xlarge 55.04, digitalocean gpu-h100x8-640gb 23.92, verda 8H100.80S.176V 15.92
        // (FIN-03 and ICE-01; FIN-03 comes first in verda.csv, so it wins the tie).
        Candidate c = cheapest(all, query("H100:8", 1, Allocation.ON_DEMAND));

        assertThat(c.offer().toString()).isEqualTo("verda/8H100.80S.176V@FIN-03");
        assertThat(c.spot()).isFalse();
        assertThat(c.price()).isEqualTo(15.92);
    }

    @Test
    void cheapestH100x8OnSpotIsVerdaAtHalfPrice() {
        // verda 8H100.80S.176V spot 7.96; aws p5.48xlarge spot from 12.70 (us-east-1b); digitalocean has no spot.
        Candidate c = cheapest(all, query("H100:8", 1, Allocation.SPOT));

        assertThat(c.offer().toString()).isEqualTo("verda/8H100.80S.176V@FIN-03");
        assertThat(c.spot()).isTrue();
        assertThat(c.price()).isEqualTo(7.96);
    }

    @Test
    void withoutVerdaTheCheapestH100x8IsDigitalOceanOnDemandAndAwsOnSpot() {
        List<Offer> awsAndDo = offers("aws", "digitalocean");

        assertThat(cheapest(awsAndDo, query("H100:8", 1, Allocation.ON_DEMAND)).offer().toString())
                .isEqualTo("digitalocean/gpu-h100x8-640gb@tor1");
        assertThat(cheapest(awsAndDo, query("H100:8", 1, Allocation.SPOT)).offer().toString())
                .isEqualTo("aws/p5.48xlarge@us-east-1/us-east-1b");
    }

    @Test
    void cheapestComparesTheWholePoolPrice() {
        Candidate c = cheapest(all, query("H100:8", 2, Allocation.ON_DEMAND));

        assertThat(c.totalPrice(2)).isEqualTo(31.84);
    }

    @Test
    void firstKeepsProviderOrderThenCatalogOrder() {
        OfferQuery q = query("H100:8", 1, Allocation.ON_DEMAND);

        assertThat(OfferSearch.select(all, q, Set.of(), Selection.FIRST)).extracting(c -> c.offer().toString())
                .startsWith("aws/p5.48xlarge@us-east-1/us-east-1a", "aws/p5.48xlarge@us-east-1/us-east-1b")
                .endsWith("digitalocean/gpu-h100x8-640gb@atl1", "verda/8H100.80S.176V@FIN-03",
                        "verda/8H100.80S.176V@ICE-01");
        assertThat(OfferSearch.select(offers("digitalocean", "aws"), q, Set.of(), Selection.FIRST).get(0).offer()
                .toString()).isEqualTo("digitalocean/gpu-h100x8-640gb@tor1");
    }

    @Test
    void spotIfAvailableTriesEverySpotOfferBeforeFallingBackToOnDemand() {
        List<Candidate> order = OfferSearch.select(all, query("H100:8", 1, Allocation.SPOT_IF_AVAILABLE), Set.of(),
                Selection.CHEAPEST);

        // 8 aws zones + 2 verda rows on spot, then all 13 rows on-demand.
        assertThat(order).hasSize(10 + 13);
        assertThat(order.subList(0, 10)).allMatch(Candidate::spot);
        assertThat(order.subList(10, 23)).noneMatch(Candidate::spot);
        assertThat(order.get(9).offer().zone()).isIn("us-east-1d", "us-west-2c"); // dearest spot: 25.80
        assertThat(order.get(10).offer().toString()).isEqualTo("verda/8H100.80S.176V@FIN-03");
        assertThat(order).filteredOn(c -> c.offer().provider().equals("digitalocean")).noneMatch(Candidate::spot);
    }

    @Test
    void filtersForCpuMemoryRegionPriceAndProvider() {
        OfferQuery base = query("H100:8", 1, Allocation.ON_DEMAND);

        // vCPUs: aws p5.48xlarge 192 passes; verda 176 and digitalocean 160 do not.
        assertThat(OfferSearch.candidates(all, new OfferQuery(base.accelerator(), 1, Allocation.ON_DEMAND, 180, 0,
                List.of(), Double.POSITIVE_INFINITY), Set.of())).allMatch(c -> c.offer().provider().equals("aws"));
        // Memory: verda 1480 GiB, digitalocean 1920 GiB, aws 2048 GiB: only aws has 2000.
        assertThat(OfferSearch.candidates(all, new OfferQuery(base.accelerator(), 1, Allocation.ON_DEMAND, 0, 2000,
                List.of(), Double.POSITIVE_INFINITY), Set.of())).allMatch(c -> c.offer().provider().equals("aws"));
        assertThat(OfferSearch.candidates(all, new OfferQuery(base.accelerator(), 1, Allocation.ON_DEMAND, 0, 0,
                List.of("tor1", "ICE-01"), Double.POSITIVE_INFINITY), Set.of())).extracting(c -> c.offer().toString())
                .containsExactly("digitalocean/gpu-h100x8-640gb@tor1", "verda/8H100.80S.176V@ICE-01");
        assertThat(OfferSearch.candidates(all, new OfferQuery(base.accelerator(), 1, Allocation.ON_DEMAND, 0, 0,
                List.of(), 20.0), Set.of())).extracting(c -> c.offer().provider()).containsOnly("verda");
        assertThat(OfferSearch.candidates(all, base, Set.of("digitalocean"))).hasSize(3);
    }

    @Test
    void aCustomRuleSeesTheCandidatesAndPicksTheOrder() {
        Selection preferCanada = Selection.custom("prefer-tor1", offers -> offers.stream()
                .filter(o -> o.region().equals("tor1")).toList());

        assertThat(OfferSearch.select(all, query("H100:1", 1, Allocation.ON_DEMAND), Set.of(), preferCanada))
                .extracting(c -> c.offer().toString()).containsExactly("digitalocean/gpu-h100x1-80gb@tor1");
    }

    @Test
    void explainsWhichFilterLeftNothing() {
        assertThat(OfferSearch.explainEmpty(all, query("H100:3", 1, Allocation.ON_DEMAND), Set.of()))
                .isEqualTo("no provider offers H100:3; counts offered: 1, 2, 4, 8");
        assertThat(OfferSearch.explainEmpty(offers("digitalocean"), query("H100:8", 1, Allocation.SPOT), Set.of()))
                .isEqualTo("no H100:8 offer has a spot price (offered on-demand by digitalocean); "
                        + "use Allocation.SPOT_IF_AVAILABLE or ON_DEMAND");
        assertThat(OfferSearch.explainEmpty(offers("digitalocean"), query("A100", 1, Allocation.ON_DEMAND), Set.of()))
                .isEqualTo("no provider offers A100; accelerators offered: H100, H200, L40S, MI300X, RTX4000-Ada, "
                        + "RTX6000-Ada");
        assertThat(OfferSearch.explainEmpty(all, new OfferQuery(AcceleratorNames.builtIn().parse("H200:8"), 1,
                Allocation.ON_DEMAND, 0, 0, List.of("eu-west-1"), Double.POSITIVE_INFINITY), Set.of()))
                .isEqualTo("no H200:8 offer in regions [eu-west-1]; regions offering it: aws:us-east-1, aws:us-west-2, "
                        + "digitalocean:atl1, digitalocean:ric1, verda:FIN-03");
    }
}
