package dev.skyward.integrations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.PoolState;
import dev.skyward.integrations.junit.WithComputePool;
import dev.skyward.integrations.launch.Accelerate;
import dev.skyward.integrations.launch.Jax;
import dev.skyward.integrations.launch.TensorFlow;
import dev.skyward.integrations.launch.Torchrun;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineTestKit;
import dev.skyward.testkit.Leaks;

/**
 * A test class annotated with {@link WithComputePool} gets a pool in its tests and nothing of it
 * remains after the class; the scenario runs through the JUnit Platform so this test can look
 * afterwards. Inside, the launch helpers run inside tasks (so the integrations jar ships to the nodes on
 * demand) and wire the launchers to the pool's rendezvous. (Debian's torchrun 1.13 fails on Python 3.11
 * before starting workers, so the real rendezvous is tested in skyward-core with init_process_group.)
 */
class LaunchHelpersTest {

    @Test
    void theScenarioPassesAndThePoolIsGoneAfterItsClass() {
        var events = EngineTestKit.engine("junit-jupiter").selectors(DiscoverySelectors.selectClass(Scenario.class))
                .execute().testEvents();
        assertThat(events.failed().stream()
                .map(e -> e.getTestDescriptor().getDisplayName() + ": " + e.getPayload().orElse(null)).toList())
                .as("failed scenario tests").isEmpty();
        events.assertStatistics(stats -> stats.started(2).succeeded(2));
        Leaks.assertNothingLeft(Scenario.seen, List.of());
    }

    @WithComputePool(nodes = 2, name = "launch-test")
    static class Scenario {

        static ComputePool seen;

        @Test
        void launcherCommandsCarryThePoolsLayout(ComputePool pool) {
            seen = pool;
            List<List<String>> commands = pool.broadcast(ctx -> List.of(
                    String.join(" ", Torchrun.command(ctx, "train.py", "--lr", "0.1")),
                    String.join(" ", Accelerate.command(ctx, "tune.py"))));
            assertThat(commands.get(1).get(0)).isEqualTo("torchrun --nnodes 2 --node_rank 1 --nproc_per_node 1 "
                    + "--master_addr 127.0.0.1 --master_port 29500 train.py --lr 0.1");
            assertThat(commands.get(0).get(1)).isEqualTo("accelerate launch --num_machines 2 --machine_rank 0 "
                    + "--num_processes 2 --main_process_ip 127.0.0.1 --main_process_port 29500 tune.py");
        }

        @Test
        void jaxAndTensorFlowGetTheirEnvironment(ComputePool pool) {
            seen = pool;
            List<Map<String, String>> jax = pool.broadcast(Jax::environment);
            assertThat(jax.get(1)).containsEntry("JAX_COORDINATOR_ADDRESS", "127.0.0.1:29500")
                    .containsEntry("JAX_NUM_PROCESSES", "2").containsEntry("JAX_PROCESS_ID", "1");
            List<String> workers = List.of("127.0.0.1:12345", "127.0.0.1:12346");
            List<List<String>> tf = pool.broadcast(ctx -> TensorFlow.run(ctx, workers, "/bin/sh", "-c", "echo $TF_CONFIG"));
            assertThat(tf.get(1)).containsExactly(
                    "{\"cluster\":{\"worker\":[\"127.0.0.1:12345\",\"127.0.0.1:12346\"]},\"task\":{\"type\":\"worker\",\"index\":1}}");
        }

        @AfterAll
        static void thePoolIsStillOpenInAfterAll() {
            assertThat(seen.state()).isEqualTo(PoolState.READY);
        }
    }
}
