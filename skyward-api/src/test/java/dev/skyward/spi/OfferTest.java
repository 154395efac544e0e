package dev.skyward.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.Accelerator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** An offer is a value: equal offers are interchangeable as map keys, any differing component tells them apart. */
class OfferTest {

    private static final Offer BASE = new Offer("aws", "p5.48xlarge", Accelerator.parse("H100:8"), 192, 2048,
            "us-east-1", "us-east-1a", 98.32, Double.NaN, "x86_64");

    @Test
    void equalComponentsMakeEqualOffersWithEqualHashes() {
        Offer same = new Offer("aws", "p5.48xlarge", Accelerator.parse("H100:8"), 192, 2048,
                "us-east-1", "us-east-1a", 98.32, Double.NaN, "x86_64");

        assertThat(same).isEqualTo(BASE).hasSameHashCodeAs(BASE);
        assertThat(new HashSet<>(List.of(BASE, same))).hasSize(1);
    }

    @Test
    void everyComponentTakesPartInEquality() {
        List<UnaryOperator<Offer>> changes = List.of(
                o -> new Offer("verda", o.instanceType(), o.accelerator(), o.vcpus(), o.memoryGiB(), o.region(),
                        o.zone(), o.onDemandPrice(), o.spotPrice(), o.arch()),
                o -> new Offer(o.provider(), "p4d.24xlarge", o.accelerator(), o.vcpus(), o.memoryGiB(), o.region(),
                        o.zone(), o.onDemandPrice(), o.spotPrice(), o.arch()),
                o -> new Offer(o.provider(), o.instanceType(), Accelerator.parse("H100:4"), o.vcpus(), o.memoryGiB(),
                        o.region(), o.zone(), o.onDemandPrice(), o.spotPrice(), o.arch()),
                o -> new Offer(o.provider(), o.instanceType(), o.accelerator(), 96, o.memoryGiB(), o.region(),
                        o.zone(), o.onDemandPrice(), o.spotPrice(), o.arch()),
                o -> new Offer(o.provider(), o.instanceType(), o.accelerator(), o.vcpus(), 1024, o.region(),
                        o.zone(), o.onDemandPrice(), o.spotPrice(), o.arch()),
                o -> new Offer(o.provider(), o.instanceType(), o.accelerator(), o.vcpus(), o.memoryGiB(), "eu-west-1",
                        o.zone(), o.onDemandPrice(), o.spotPrice(), o.arch()),
                o -> new Offer(o.provider(), o.instanceType(), o.accelerator(), o.vcpus(), o.memoryGiB(), o.region(),
                        "", o.onDemandPrice(), o.spotPrice(), o.arch()),
                o -> new Offer(o.provider(), o.instanceType(), o.accelerator(), o.vcpus(), o.memoryGiB(), o.region(),
                        o.zone(), 90.0, o.spotPrice(), o.arch()),
                o -> new Offer(o.provider(), o.instanceType(), o.accelerator(), o.vcpus(), o.memoryGiB(), o.region(),
                        o.zone(), o.onDemandPrice(), 30.0, o.arch()),
                o -> new Offer(o.provider(), o.instanceType(), o.accelerator(), o.vcpus(), o.memoryGiB(), o.region(),
                        o.zone(), o.onDemandPrice(), o.spotPrice(), "aarch64"));

        Set<Offer> all = new HashSet<>(List.of(BASE));
        for (UnaryOperator<Offer> change : changes) {
            Offer changed = change.apply(BASE);
            assertThat(changed).isNotEqualTo(BASE);
            all.add(changed);
        }
        assertThat(all).hasSize(changes.size() + 1);
    }

    @Test
    void anOfferWithNoSpotPriceEqualsItself() {
        // NaN != NaN, yet an offer without a spot price must still find itself in a map.
        assertThat(BASE.hasSpot()).isFalse();
        Offer copy = new Offer(BASE.provider(), BASE.instanceType(), BASE.accelerator(), BASE.vcpus(),
                BASE.memoryGiB(), BASE.region(), BASE.zone(), BASE.onDemandPrice(), BASE.spotPrice(), BASE.arch());
        assertThat(copy).isEqualTo(BASE);
        assertThat(Set.of(copy)).contains(BASE);
    }
}
