package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.PoolState;
import org.junit.jupiter.api.Test;

/** The life of a rank, and the pool's READY <-> DEGRADED while a rank misses its node. */
class NodeStateTest {

    @Test
    void aLostRankIsReplacedAndServesAgain() {
        NodeSlot slot = new NodeSlot(1);
        slot.moveTo(NodeState.READY);
        slot.moveTo(NodeState.LOST);
        slot.moveTo(NodeState.REPLACING);
        slot.moveTo(NodeState.READY);
        assertThat(slot.state()).isEqualTo(NodeState.READY);
    }

    @Test
    void aNodeAboutToGoDrainsWhileItsReplacementStarts() {
        NodeSlot slot = new NodeSlot(0);
        slot.moveTo(NodeState.READY);
        slot.moveTo(NodeState.DRAINING);
        slot.moveTo(NodeState.REPLACING);
        slot.moveTo(NodeState.READY);
        assertThat(slot.state().missing()).isFalse();
    }

    @Test
    void anIdleNodeGivenBackIsRetiredForGood() {
        NodeSlot slot = new NodeSlot(3);
        slot.moveTo(NodeState.READY);
        slot.moveTo(NodeState.DRAINING);
        slot.moveTo(NodeState.RETIRED);
        assertThat(slot.state().mayServe()).isFalse();
        assertThatThrownBy(() -> slot.moveTo(NodeState.READY)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("rank 3 cannot move from RETIRED to READY");
    }

    @Test
    void aRankNotReplacedIsGoneAndWorkPinnedToItStopsWaiting() {
        NodeSlot slot = new NodeSlot(2);
        slot.moveTo(NodeState.READY);
        slot.moveTo(NodeState.LOST);
        assertThat(slot.state().mayServe()).as("pinned work waits while it may be replaced").isTrue();
        slot.moveTo(NodeState.GONE);
        assertThat(slot.state().mayServe()).isFalse();
        assertThat(slot.state().missing()).isTrue();
        for (NodeState next : NodeState.values()) {
            assertThat(NodeState.GONE.canMoveTo(next)).isFalse();
        }
    }

    @Test
    void aReadyNodeIsNeverReplacedWithoutBeingLostOrDrainedFirst() {
        assertThat(NodeState.READY.canMoveTo(NodeState.REPLACING)).isFalse();
        assertThat(NodeState.STARTING.canMoveTo(NodeState.DRAINING)).isFalse();
    }

    @Test
    void thePoolIsDegradedWhileANodeIsMissingAndReadyAgainAfterAndTakesTasksInBoth() {
        assertThat(PoolState.READY.canMoveTo(PoolState.DEGRADED)).isTrue();
        assertThat(PoolState.DEGRADED.canMoveTo(PoolState.READY)).isTrue();
        assertThat(PoolState.DEGRADED.canMoveTo(PoolState.CLOSING)).isTrue();
        assertThat(PoolState.STARTING.canMoveTo(PoolState.DEGRADED)).isFalse();
        assertThat(PoolState.DEGRADED.acceptsTasks()).isTrue();
        assertThat(PoolState.READY.acceptsTasks()).isTrue();
        assertThat(PoolState.CLOSING.acceptsTasks()).isFalse();
    }
}
