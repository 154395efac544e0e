package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.PoolState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolLifecycleTest {

    private final List<String> seen = new ArrayList<>();
    private final PoolLifecycle lifecycle = new PoolLifecycle((from, to) -> seen.add(from + "->" + to));

    @Test
    void aHealthyPoolGoesFromNewThroughReadyToClosed() {
        lifecycle.moveTo(PoolState.PROVISIONING);
        lifecycle.moveTo(PoolState.STARTING);
        lifecycle.moveTo(PoolState.READY);
        lifecycle.moveTo(PoolState.CLOSING);
        lifecycle.moveTo(PoolState.CLOSED);
        assertThat(seen).containsExactly("NEW->PROVISIONING", "PROVISIONING->STARTING", "STARTING->READY",
                "READY->CLOSING", "CLOSING->CLOSED");
    }

    @Test
    void aFailedStartIsCleanedUpAndEndsClosed() {
        lifecycle.moveTo(PoolState.PROVISIONING);
        lifecycle.moveTo(PoolState.FAILED);
        assertThat(lifecycle.tryMoveTo(PoolState.READY)).isFalse();
        lifecycle.moveTo(PoolState.CLOSING);
        lifecycle.moveTo(PoolState.CLOSED);
        assertThat(lifecycle.state()).isEqualTo(PoolState.CLOSED);
    }

    @Test
    void illegalTransitionsAreRefusedAndNotAnnounced() {
        assertThatThrownBy(() -> lifecycle.moveTo(PoolState.READY)).isInstanceOf(IllegalStateException.class)
                .hasMessage("pool cannot move from NEW to READY");
        assertThat(seen).isEmpty();
        lifecycle.moveTo(PoolState.CLOSING);
        assertThat(lifecycle.tryMoveTo(PoolState.CLOSING)).as("a second close finds the pool closing").isFalse();
    }
}
