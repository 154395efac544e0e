package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.ComputePool;
import dev.skyward.OutputListener;
import dev.skyward.PoolConfigurationException;
import dev.skyward.testkit.Leaks;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Agents run with the JVM options the builder gives them (heap, GC, opens), after Skyward's own. */
class AgentJvmOptionsTest {

    @Test
    void agentsRunWithTheGivenJvmOptions() {
        ComputePool pool = ComputePool.builder().name("jvm-options").console(false).output(OutputListener.SILENT)
                .agentJvmOptions("-Xmx200m", "-Dmy.setting=on node", "--add-opens=java.base/java.nio=ALL-UNNAMED")
                .build();
        List<Integer> ports = Leaks.agentPorts(pool);
        try (pool) {
            long maxHeap = pool.run(ctx -> Runtime.getRuntime().maxMemory());
            assertThat(maxHeap).isLessThanOrEqualTo(200L * 1024 * 1024);
            String setting = pool.run(ctx -> System.getProperty("my.setting"));
            assertThat(setting).isEqualTo("on node");
            List<String> args = pool.run(ctx -> ManagementFactory.getRuntimeMXBean().getInputArguments());
            assertThat(args).contains("--add-opens=java.base/java.nio=ALL-UNNAMED", "-XX:+UseG1GC");
        }
        Leaks.assertNothingLeft(pool, ports);
    }

    @Test
    void optionsThatWouldBreakTheAgentsCommandAreRefusedBeforeAnythingStarts() {
        assertThatThrownBy(() -> ComputePool.builder().agentJvmOptions("Xmx2g"))
                .isInstanceOf(PoolConfigurationException.class).hasMessageContaining("must start with '-'");
        assertThatThrownBy(() -> ComputePool.builder().agentJvmOptions("-jar"))
                .isInstanceOf(PoolConfigurationException.class).hasMessageContaining("-jar");
        assertThatThrownBy(() -> ComputePool.builder().agentJvmOptions("-cp"))
                .isInstanceOf(PoolConfigurationException.class).hasMessageContaining("classpath");
        assertThatThrownBy(() -> ComputePool.builder().agentJvmOptions((String) null))
                .isInstanceOf(PoolConfigurationException.class);
    }
}
