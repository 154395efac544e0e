package dev.skyward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.spi.PoolSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Bad settings fail at once, before anything starts, with a message that says what to write instead. */
class BuilderValidationTest {

    @Test
    void defaultsAreOneCpuNodeOnTheLocalProvider() {
        PoolSpec spec = ComputePool.builder().spec();
        assertThat(spec.providers()).isEmpty();
        assertThat(spec.nodes()).isEqualTo(1);
        assertThat(spec.accelerator()).isEqualTo(Accelerator.NONE);
        assertThat(spec.selection()).isSameAs(Selection.FIRST);
        assertThat(spec.allocation()).isEqualTo(Allocation.ON_DEMAND);
        assertThat(spec.scheduling()).isEqualTo(Scheduling.LEAST_LOADED);
        assertThat(spec.concurrency()).isEqualTo(1);
        assertThat(spec.masterPort()).isEqualTo(29500);
        assertThat(spec.maxHourlyPrice()).isInfinite();
    }

    @Test
    void anImpossibleNodeCountIsRefused() {
        assertThatThrownBy(() -> ComputePool.builder().nodes(0)).isInstanceOf(PoolConfigurationException.class)
                .hasMessage("nodes must be between 1 and 1024, was 0; a pool needs at least one node");
        assertThatThrownBy(() -> ComputePool.builder().nodes(5000)).isInstanceOf(PoolConfigurationException.class);
    }

    @Test
    void malformedAcceleratorsAreRefusedWithTheFormatToUse() {
        assertThatThrownBy(() -> ComputePool.builder().accelerator("H100:eight"))
                .isInstanceOf(PoolConfigurationException.class)
                .hasMessageContaining("is not a number; write NAME:COUNT, e.g. \"H100:8\"");
        assertThatThrownBy(() -> ComputePool.builder().accelerator("H100:0"))
                .hasMessageContaining("count must be at least 1");
        assertThat(ComputePool.builder().accelerator("h100:8").spec().accelerator())
                .isEqualTo(Accelerator.of("H100", 8, 0));
    }

    @Test
    void everyBadInputIsOnePoolConfigurationExceptionThatACallerCanCatch() {
        assertThatThrownBy(() -> ComputePool.builder().accelerator("H100:0"))
                .isInstanceOf(PoolConfigurationException.class).hasMessageContaining("count must be at least 1");
        assertThatThrownBy(() -> ComputePool.builder().accelerator("H100:x"))
                .isInstanceOf(PoolConfigurationException.class).hasMessageContaining("is not a number");
        assertThatThrownBy(() -> ComputePool.builder().accelerator((String) null))
                .isInstanceOf(PoolConfigurationException.class).hasMessageContaining("accelerator must not be null");
        assertThatThrownBy(() -> ComputePool.builder().accelerator((Accelerator) null))
                .isInstanceOf(PoolConfigurationException.class).hasMessageContaining("accelerator must not be null");
        assertThatThrownBy(() -> ComputePool.builder().image(null))
                .isInstanceOf(PoolConfigurationException.class).hasMessageContaining("image must not be null");
        assertThatThrownBy(() -> ComputePool.builder().env("A", null))
                .isInstanceOf(PoolConfigurationException.class).hasMessageContaining("value of A must not be null");
        assertThatThrownBy(() -> ComputePool.builder().heartbeatGrace(null))
                .isInstanceOf(PoolConfigurationException.class).hasMessageContaining("must not be null");
        assertThatThrownBy(() -> Image.builder().env("A=B", "x"))
                .isInstanceOf(PoolConfigurationException.class).hasMessageContaining("contains '='");
        assertThatThrownBy(() -> Image.builder().pip(" "))
                .isInstanceOf(PoolConfigurationException.class).hasMessageContaining("must not be blank");
        assertThatThrownBy(() -> Accelerator.of("H100", 0, 0)).isInstanceOf(PoolConfigurationException.class);
        assertThat(new PoolConfigurationException("x")).isInstanceOf(SkywardException.class);
    }

    @Test
    void otherSettingsAreCheckedToo() {
        assertThatThrownBy(() -> ComputePool.builder().concurrency(0)).hasMessageContaining("between 1 and 4096");
        assertThatThrownBy(() -> ComputePool.builder().name("My Pool")).hasMessageContaining("lower-case");
        assertThatThrownBy(() -> ComputePool.builder().masterPort(80)).hasMessageContaining("between 1024 and 65535");
        assertThatThrownBy(() -> ComputePool.builder().env("A=B", "x")).hasMessageContaining("contain no '='");
        assertThatThrownBy(() -> ComputePool.builder().heartbeatGrace(Duration.ofMillis(100)))
                .hasMessageContaining("at least 2s");
        assertThatThrownBy(() -> ComputePool.builder().provisionTimeout(Duration.ZERO))
                .hasMessageContaining("must be positive");
        assertThatThrownBy(() -> ComputePool.builder().maxHourlyPrice(-1)).hasMessageContaining("positive");
    }

    @Test
    void theSpecIsImmutable() {
        ComputePool.Builder b = ComputePool.builder().env("A", "1");
        PoolSpec spec = b.spec();
        b.env("B", "2");
        assertThat(spec.env()).containsOnlyKeys("A");
        assertThatThrownBy(() -> spec.env().put("C", "3")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theLifecycleAllowsOnlyItsTransitions() {
        assertThat(PoolState.NEW.canMoveTo(PoolState.PROVISIONING)).isTrue();
        assertThat(PoolState.PROVISIONING.canMoveTo(PoolState.STARTING)).isTrue();
        assertThat(PoolState.STARTING.canMoveTo(PoolState.READY)).isTrue();
        assertThat(PoolState.READY.canMoveTo(PoolState.CLOSING)).isTrue();
        assertThat(PoolState.CLOSING.canMoveTo(PoolState.CLOSED)).isTrue();
        assertThat(PoolState.FAILED.canMoveTo(PoolState.CLOSING)).isTrue();
        assertThat(PoolState.READY.canMoveTo(PoolState.PROVISIONING)).isFalse();
        assertThat(PoolState.READY.canMoveTo(PoolState.FAILED)).isFalse();
        assertThat(PoolState.NEW.canMoveTo(PoolState.READY)).isFalse();
        for (PoolState s : PoolState.values()) {
            assertThat(PoolState.CLOSED.canMoveTo(s)).as("CLOSED is terminal").isFalse();
        }
    }

    @Test
    void nodeContextShardCoversEveryElementOnce() {
        java.util.List<Integer> all = java.util.stream.IntStream.range(0, 10).boxed().toList();
        java.util.List<Integer> seen = new java.util.ArrayList<>();
        for (int r = 0; r < 3; r++) {
            int rank = r;
            NodeContext ctx = new NodeContext() {
                public int rank() { return rank; }
                public int worldSize() { return 3; }
                public int nodeCount() { return 3; }
                public String headAddress() { return "h"; }
                public int headPort() { return 1; }
                public Accelerator accelerator() { return Accelerator.NONE; }
                public java.util.Map<String, String> env() { return java.util.Map.of(); }
                public long taskId() { return 1; }
            };
            seen.addAll(ctx.shard(all));
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(all);
    }
}
