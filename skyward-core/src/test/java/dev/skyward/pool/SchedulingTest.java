package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.NodeContext;
import dev.skyward.OutputListener;
import dev.skyward.Scheduling;
import dev.skyward.testkit.Leaks;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Where unpinned tasks go. */
class SchedulingTest {

    @Test
    void leastLoadedAvoidsABusyNodeAndRoundRobinTakesTurns() throws Exception {
        ComputePool least = ComputePool.builder().name("least-test").nodes(2).concurrency(2).console(false)
                .output(OutputListener.SILENT).build();
        List<Integer> ports = new ArrayList<>(Leaks.agentPorts(least));
        try (least) {
            CompletableFuture<String> busy = least.node(0).submit(ctx -> {
                Thread.sleep(30_000);
                return "slept";
            });
            List<Integer> ranks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ranks.add(least.run(NodeContext::rank));
            }
            assertThat(ranks).as("node 0 has a task in flight; node 1 has none between runs").containsOnly(1);
            busy.cancel(true);
        }
        Leaks.assertNothingLeft(least, ports);

        ComputePool turns = ComputePool.builder().name("turns-test").nodes(2).scheduling(Scheduling.ROUND_ROBIN)
                .console(false).output(OutputListener.SILENT).build();
        ports = Leaks.agentPorts(turns);
        try (turns) {
            List<Integer> ranks = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                ranks.add(turns.run(NodeContext::rank));
            }
            assertThat(ranks).containsExactly(ranks.get(0), 1 - ranks.get(0), ranks.get(0), 1 - ranks.get(0),
                    ranks.get(0), 1 - ranks.get(0));
        }
        Leaks.assertNothingLeft(turns, ports);
    }
}
