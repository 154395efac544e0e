package dev.skyward.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.Accelerator;
import dev.skyward.NodeInfo;
import dev.skyward.PoolEvent;
import dev.skyward.PoolState;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What the console says when a pool heals and breathes. */
class HealingEventsRenderingTest {

    private static final NodeInfo NODE = new NodeInfo(1, "local", "p-node-1", "127.0.0.1", Accelerator.NONE);

    @Test
    void replacementsAreShownWithTheRankTheAttemptAndTheTimeItTook() {
        assertThat(ConsoleRenderer.render(new PoolEvent.NodeReplacing("p", 1, 2, "gone")))
                .isEqualTo("  replacing node 1 (2nd replacement of the rank)");
        assertThat(ConsoleRenderer.render(new PoolEvent.NodeReplaced("p", NODE, Duration.ofMillis(2500))))
                .isEqualTo("  node 1 replaced at 127.0.0.1, 2.50 s after it was lost");
        assertThat(ConsoleRenderer.render(new PoolEvent.NodeNotReplaced("p", 1, "policy")))
                .isEqualTo("  node 1 not replaced: policy");
        assertThat(ConsoleRenderer.render(new PoolEvent.StateChanged("p", PoolState.READY, PoolState.DEGRADED)))
                .contains("degraded");
    }

    @Test
    void aResizeShowsTheNewSizeWhyAndTheNewHourlyPrice() {
        assertThat(ConsoleRenderer.render(new PoolEvent.Resized("p", 1, 3, 7.5, "40 tasks waiting")))
                .isEqualTo("pool p grew from 1 to 3 nodes (40 tasks waiting); now $7.50/h");
        assertThat(ConsoleRenderer.render(new PoolEvent.Resized("p", 3, 2, 5.0, "idle for 300 s")))
                .isEqualTo("pool p shrank from 3 to 2 nodes (idle for 300 s); now $5.00/h");
    }
}
