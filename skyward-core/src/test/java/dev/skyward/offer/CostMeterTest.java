package dev.skyward.offer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.skyward.Accelerator;
import dev.skyward.NodeCost;
import dev.skyward.PoolEvent;
import dev.skyward.spi.Offer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A pool's bill is per machine: its own launch and end, at the price paid for it (spot or on-demand),
 * summed per provider; machines that come and go mid-pool keep their own times.
 */
class CostMeterTest {

    private static final Offer VERDA_H100 = new Offer("verda", "1H100.80S.30V", Accelerator.of("H100", 1, 80), 30,
            120, "FIN-03", "", 1.99, 1.0, "x86_64");
    private static final Offer AWS_H100 = new Offer("aws", "p5.4xlarge", Accelerator.of("H100", 1, 80), 16, 256,
            "us-east-1", "", 6.88, 3.096, "x86_64");
    private static final Instant T0 = Instant.parse("2026-12-02T08:00:00Z");

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        Instant now = T0;

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void eachMachineIsBilledFromItsLaunchToItsEndAtThePricePaidForIt() {
        TestClock clock = new TestClock();
        CostMeter meter = new CostMeter(clock);
        meter.launched("verda", "v-1", VERDA_H100, true, T0);
        meter.launched("verda", "v-2", VERDA_H100, false, T0);
        assertThat(meter.runningHourlyPrice()).isCloseTo(1.0 + 1.99, within(1e-9));

        // Half an hour in, the spot machine is replaced by an on-demand one on another cloud.
        clock.now = T0.plus(Duration.ofMinutes(30));
        meter.ended("v-1");
        meter.launched("aws", "a-1", AWS_H100, false, clock.now);
        assertThat(meter.runningHourlyPrice()).isCloseTo(1.99 + 6.88, within(1e-9));

        clock.now = T0.plus(Duration.ofMinutes(90));
        meter.endedAll();
        clock.now = T0.plus(Duration.ofHours(5)); // reading the bill later changes nothing
        List<NodeCost> bill = meter.nodes();

        assertThat(bill).extracting(NodeCost::instanceId).containsExactly("v-1", "v-2", "a-1");
        assertThat(bill).extracting(NodeCost::uptime).containsExactly(Duration.ofMinutes(30), Duration.ofMinutes(90),
                Duration.ofMinutes(60));
        assertThat(bill).extracting(NodeCost::hourlyPrice).containsExactly(1.0, 1.99, 6.88);
        assertThat(bill.get(0).spot()).isTrue();
        assertThat(bill.get(0).estimatedCost()).isCloseTo(0.5, within(1e-9));
        assertThat(bill.get(1).estimatedCost()).isCloseTo(2.985, within(1e-9));
        assertThat(bill.get(2).estimatedCost()).isCloseTo(6.88, within(1e-9));
        assertThat(meter.estimatedCost()).isCloseTo(0.5 + 2.985 + 6.88, within(1e-9));

        PoolEvent.Closed closed = new PoolEvent.Closed("p", Duration.ofMinutes(90), 8.87, meter.estimatedCost(), bill);
        assertThat(closed.costByProvider()).containsOnlyKeys("verda", "aws");
        assertThat(closed.costByProvider().get("verda")).isCloseTo(3.485, within(1e-9));
        assertThat(closed.costByProvider().get("aws")).isCloseTo(6.88, within(1e-9));
    }

    @Test
    void aMachineStillRunningIsCostedUpToNowAndEndsOnlyOnce() {
        TestClock clock = new TestClock();
        CostMeter meter = new CostMeter(clock);
        meter.launched("aws", "a-1", AWS_H100, true, T0);
        clock.now = T0.plus(Duration.ofMinutes(10));
        assertThat(meter.nodes()).singleElement().satisfies(n -> assertThat(n.uptime()).hasMinutes(10));
        meter.ended("a-1");
        clock.now = T0.plus(Duration.ofMinutes(20));
        meter.ended("a-1");
        meter.endedAll();
        meter.launched("aws", "a-1", AWS_H100, false, clock.now); // the same machine again: ignored
        assertThat(meter.nodes()).singleElement().satisfies(n -> {
            assertThat(n.uptime()).hasMinutes(10);
            assertThat(n.spot()).isTrue();
        });
        assertThat(meter.runningHourlyPrice()).isZero();
    }
}
