package dev.skyward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.spi.PoolSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The settings of pools that heal and breathe: defaults, and bad values refused before anything starts. */
class HealingSettingsTest {

    @Test
    void byDefaultLostNodesAreReplacedThreeTimesPerRankAndInterruptedTasksRetriedThreeTimes() {
        PoolSpec spec = ComputePool.builder().nodes(2).spec();
        assertThat(spec.replacement()).isEqualTo(Replacement.atMost(3));
        assertThat(spec.retries()).isEqualTo(3);
        assertThat(spec.elastic()).isFalse();
        assertThat(spec.maxNodes()).isEqualTo(2);
        assertThat(spec.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(spec.healthCheck()).isNull();
    }

    @Test
    void anElasticPoolStartsAtItsMinimum() {
        PoolSpec spec = ComputePool.builder().nodes(1, 4).idleTimeout(Duration.ofSeconds(30)).spec();
        assertThat(spec.nodes()).isEqualTo(1);
        assertThat(spec.maxNodes()).isEqualTo(4);
        assertThat(spec.elastic()).isTrue();
        assertThat(ComputePool.builder().nodes(1, 4).nodes(3).spec().elastic()).as("nodes(n) makes it fixed again")
                .isFalse();
    }

    @Test
    void badValuesSayWhatIsWrong() {
        assertThatThrownBy(() -> ComputePool.builder().nodes(4, 2)).isInstanceOf(PoolConfigurationException.class)
                .hasMessageContaining("between its least (4) and 1024, was 2");
        assertThatThrownBy(() -> ComputePool.builder().retries(-1)).isInstanceOf(PoolConfigurationException.class)
                .hasMessageContaining("retries must be between 0 and 100");
        assertThatThrownBy(() -> Replacement.atMost(-2)).isInstanceOf(PoolConfigurationException.class)
                .hasMessageContaining("Replacement.NEVER");
        assertThatThrownBy(() -> ComputePool.builder().idleTimeout(Duration.ofMillis(10)))
                .isInstanceOf(PoolConfigurationException.class).hasMessageContaining("at least 1s");
        assertThatThrownBy(() -> new HealthCheck(ctx -> true, Duration.ofMillis(5), 3))
                .isInstanceOf(PoolConfigurationException.class).hasMessageContaining("at least 100 ms");
        assertThatThrownBy(() -> new HealthCheck(ctx -> true, Duration.ofSeconds(5), 0))
                .isInstanceOf(PoolConfigurationException.class).hasMessageContaining("at least once");
        assertThatThrownBy(() -> ComputePool.builder().replacement(null))
                .isInstanceOf(PoolConfigurationException.class).hasMessageContaining("replacement must not be null");
    }

    @Test
    void aTaskMarkedOnceStaysTheSameTaskAndIsMarkedOnlyOnce() throws Exception {
        Task<Integer> t = ctx -> 7;
        Task<Integer> once = Task.once(t);
        assertThat(once).isInstanceOf(Task.Once.class);
        assertThat(Task.once(once)).isSameAs(once);
        assertThat(((Task.Once<Integer>) once).task()).isSameAs(t);
        MapTask<Integer, Integer> f = (ctx, x) -> x + 1;
        assertThat(MapTask.once(f).apply(null, 1)).isEqualTo(2);
        assertThat(Replacement.NEVER.replaces()).isFalse();
        assertThat(Replacement.DEFAULT.replaces()).isTrue();
    }
}
