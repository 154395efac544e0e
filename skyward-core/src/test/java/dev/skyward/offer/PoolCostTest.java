package dev.skyward.offer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.skyward.Accelerator;
import dev.skyward.spi.Instance;
import dev.skyward.spi.InstanceStatus;
import dev.skyward.spi.Offer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pool's price is per-instance price times instances, on the market it was bought on. */
class PoolCostTest {

    private static final Offer VERDA_H100x8 = new Offer("verda", "8H100.80S.176V", Accelerator.of("H100", 8, 80), 176,
            1480, "FIN-03", "", 15.92, 7.96, "x86_64");

    private static Instance node(int i) {
        return new Instance("i-" + i, "verda", "p", i, InstanceStatus.RUNNING, "10.0.0." + i, null, null);
    }

    @Test
    void twoNodesOnSpotForNinetyMinutes() {
        Provisioned p = new Provisioned(null, VERDA_H100x8, true, List.of(node(0), node(1)));

        assertThat(p.hourlyPrice()).isCloseTo(15.92, within(1e-9));
        assertThat(p.estimatedCost(Duration.ofMinutes(90))).isCloseTo(23.88, within(1e-9));
        assertThat(PoolCost.describe(p.hourlyPrice(), Duration.ofMinutes(90))).isEqualTo("1h 30m 0s at $15.92/h: about $23.88");
    }

    @Test
    void onDemandAndShortRuns() {
        Provisioned p = new Provisioned(null, VERDA_H100x8, false, List.of(node(0)));

        assertThat(p.hourlyPrice()).isEqualTo(15.92);
        assertThat(PoolCost.describe(p.hourlyPrice(), Duration.ofSeconds(45))).isEqualTo("45.0s at $15.92/h: about $0.20");
        assertThat(PoolCost.estimate(0, Duration.ofHours(5))).isZero();
    }
}
