package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.OutputListener;
import dev.skyward.SkywardException;
import dev.skyward.testing.TestClasspath;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A result bigger than the client's heap fails that one call with a SkywardException that says so and
 * what to do, before the client tries to hold it; no OutOfMemoryError, and the pool goes on working.
 */
class OversizedResultTest {

    @Test
    void aResultLargerThanTheClientsHeapFailsClearlyAndThePoolGoesOn() throws Exception {
        // A client JVM as a user starts it, with only a small heap: 192 MiB, and a 400 MiB result.
        String java = System.getProperty("java.home") + "/bin/java";
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx192m", "-cp", TestClasspath.asString(),
                SmallHeapClient.class.getName()));
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        String out = TestClasspath.output(pb, 180);
        assertThat(out).as(out).contains("refused=dev.skyward.SkywardException")
                .contains("does not fit in this JVM's heap").contains("-Xmx")
                .contains("after=42").contains("DONE").doesNotContain("OutOfMemoryError");
    }

    public static final class SmallHeapClient {
        public static void main(String[] args) {
            try (ComputePool pool = ComputePool.builder().name("oversized").console(false)
                    .output(OutputListener.SILENT).build()) {
                try {
                    byte[] never = pool.run(ctx -> new byte[400 << 20]);
                    System.out.println("received=" + never.length);
                } catch (SkywardException e) {
                    System.out.println("refused=" + e.getClass().getName() + ": " + e.getMessage());
                }
                int after = pool.run(ctx -> 6 * 7);
                System.out.println("after=" + after);
            }
            System.out.println("DONE");
        }
    }
}
