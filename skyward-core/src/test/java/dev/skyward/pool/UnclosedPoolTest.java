package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.testkit.Leaks;
import dev.skyward.testing.TestClasspath;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A program that exits with its pool open is told so on the console, even with no SLF4J binding at all. */
class UnclosedPoolTest {

    @Test
    void theConsoleSaysThePoolWasNotClosedAndIsClosedAtExit() throws Exception {
        // Most small programs and JShell sessions have no SLF4J binding: its warnings go nowhere.
        String classpath = String.join(File.pathSeparator, TestClasspath.entries().stream()
                .filter(e -> !Path.of(e).getFileName().toString().matches("(slf4j-simple|logback-classic|slf4j-reload4j).*"))
                .toList());
        String out = TestClasspath.output(TestClasspath.plainJava(classpath, ForgetfulProgram.class), 120);
        Matcher id = Pattern.compile("POOL (\\S+)").matcher(out);
        assertThat(id.find()).as("program output:\n%s", out).isTrue();
        String poolId = id.group(1);
        assertThat(out).contains("skyward: pool " + poolId + " was never closed: closing it now, at exit")
                .contains("try-with-resources");
        assertThat(out).contains("No SLF4J providers were found");
        Leaks.assertNothingLeft(poolId, List.of());
    }

    /** Opens a pool with the default console and returns from main without closing it. */
    public static final class ForgetfulProgram {
        public static void main(String[] args) {
            ComputePool pool = ComputePool.builder().name("forgotten").build();
            int one = pool.run(ctx -> 1);
            System.out.println("POOL " + pool.id() + " ran " + one);
        }
    }
}
