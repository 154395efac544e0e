package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skyward.ComputePool;
import dev.skyward.OutputListener;
import dev.skyward.PoolConfigurationException;
import dev.skyward.TaskFailedException;
import dev.skyward.testkit.Leaks;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A task that tries to build a pool on its node is told that pools are built by the client. */
class PoolInsideTaskTest {

    @Test
    void buildingAPoolInsideATaskFailsWithAMessageForTheNode() {
        ComputePool pool = ComputePool.builder().name("nested").console(false).output(OutputListener.SILENT).build();
        List<Integer> ports = Leaks.agentPorts(pool);
        try (pool) {
            TaskFailedException e = catchThrowableOfType(TaskFailedException.class, () -> pool.run(ctx -> {
                try (ComputePool inner = ComputePool.builder().nodes(2).build()) {
                    return inner.run(c -> 1);
                }
            }));
            assertThat(e.getCause()).isExactlyInstanceOf(PoolConfigurationException.class)
                    .hasMessageContaining("inside a task on node 0 of pool " + pool.id())
                    .hasMessageContaining("pools are built by the client program")
                    .hasMessageNotContaining("add the dependency");
        }
        Leaks.assertNothingLeft(pool, ports);
    }
}
