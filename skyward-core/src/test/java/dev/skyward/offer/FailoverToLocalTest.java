package dev.skyward.offer;

import static dev.skyward.spi.ProviderException.Kind.CAPACITY;
import static dev.skyward.spi.ProviderException.Kind.QUOTA;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.NodeInfo;
import dev.skyward.OutputListener;
import dev.skyward.PoolEvent;
import dev.skyward.Selection;
import dev.skyward.local.Local;
import dev.skyward.offer.ScriptedProvider.Step;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * End to end through the real pool: two providers fail (one after creating an instance), the local
 * provider finally runs the tasks, and nothing the failed attempts created is left.
 */
class FailoverToLocalTest {

    @Test
    void twoFailingProvidersThenTheLocalProviderRunsTheTasks() {
        var a = new ScriptedProvider("cloud-a").offer("big", null, 0, "r1", 3.0)
                .onLaunch("big@r1", Step.failAfter(1, CAPACITY, "InsufficientInstanceCapacity"));
        var b = new ScriptedProvider("cloud-b").offer("huge", null, 0, "r9", 4.0)
                .onLaunch("huge@r9", Step.fail(QUOTA, "VcpuLimitExceeded"));
        List<PoolEvent> events = new CopyOnWriteArrayList<>();

        try (ComputePool pool = ComputePool.builder().provider(a, b, new Local()).selection(Selection.FIRST).nodes(2)
                .listener(events::add).output(OutputListener.SILENT).console(false).build()) {

            assertThat(pool.nodes()).extracting(NodeInfo::provider).containsOnly("local");
            assertThat(pool.broadcast(ctx -> ctx.rank())).containsExactly(0, 1);
            assertThat(pool.<Integer>run(ctx -> 6 * 7)).isEqualTo(42);
            // The failed attempts were cleaned up before the local provider was tried.
            assertThat(a.createdCount()).isEqualTo(1);
            assertThat(a.liveInstances()).isEmpty();
            assertThat(b.liveInstances()).isEmpty();
        }

        assertThat(a.launches()).containsExactly("big@r1");
        assertThat(b.launches()).containsExactly("huge@r9");
        assertThat(events).filteredOn(PoolEvent.AttemptFailed.class::isInstance)
                .extracting(e -> ((PoolEvent.AttemptFailed) e).reason())
                .containsExactly("capacity: InsufficientInstanceCapacity", "quota: VcpuLimitExceeded");
        assertThat(events).filteredOn(PoolEvent.OfferChosen.class::isInstance)
                .extracting(e -> ((PoolEvent.OfferChosen) e).offer().provider())
                .containsExactly("cloud-a", "cloud-b", "local");
        assertThat(events).filteredOn(PoolEvent.Closed.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((PoolEvent.Closed) e).hourlyPrice()).isZero());
    }
}
