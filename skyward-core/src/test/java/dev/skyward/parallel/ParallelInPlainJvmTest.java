package dev.skyward.parallel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.testkit.Leaks;
import dev.skyward.testing.TestClasspath;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The executor and the unordered map as users run them: {@code java -cp app.jar Main}, no JVM flags. */
class ParallelInPlainJvmTest {

    @Test
    void aProgramStartedWithoutFlagsUsesTheExecutorAndTheUnorderedMap() throws Exception {
        Process p = TestClasspath.plainJava(ParallelProgram.class).redirectErrorStream(true).start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("invokeAll remote 2", "supplyAsync 43", "mapUnordered sum 332833500",
                "stream [1, 2, 3]",
                "terminated true");
        String poolId = out.lines().filter(l -> l.startsWith("pool ")).findFirst().orElseThrow().substring(5);
        Leaks.assertNothingLeft(poolId, List.of());
    }
}
