package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.OutputLine;
import dev.skyward.testkit.Leaks;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a task prints from threads it does not own (parallel streams, the common pool) comes back too. */
class PoolThreadOutputTest {

    private static final List<OutputLine> OUTPUT = new CopyOnWriteArrayList<>();
    private static ComputePool pool;
    private static List<Integer> ports;

    @BeforeAll
    static void openPool() {
        pool = ComputePool.builder().name("pool-output").console(false).output(OUTPUT::add).build();
        ports = Leaks.agentPorts(pool);
    }

    @AfterAll
    static void closePool() {
        pool.close();
        Leaks.assertNothingLeft(pool, ports);
    }

    @Test
    void everyLineOfAParallelStreamComesBackTaggedWithItsTask() {
        // Several rounds: common-pool workers outlive a task, and must not keep its closed output.
        for (int round = 0; round < 3; round++) {
            int r = round;
            OUTPUT.clear();
            long taskId = pool.run(ctx -> {
                IntStream.range(0, 8).parallel().forEach(i -> System.out.println("round " + r + " item " + i));
                return ctx.taskId();
            });
            assertThat(OUTPUT).extracting(OutputLine::text).containsExactlyInAnyOrderElementsOf(
                    IntStream.range(0, 8).mapToObj(i -> "round " + r + " item " + i).toList());
            assertThat(OUTPUT).allSatisfy(l -> assertThat(l.taskId()).isEqualTo(taskId));
        }
    }

    @Test
    void linesPrintedOnTheCommonPoolAndInAsyncStagesComeBack() {
        OUTPUT.clear();
        pool.run(ctx -> {
            ForkJoinPool.commonPool().submit(() -> System.err.println("from the common pool")).get();
            CompletableFuture.runAsync(() -> System.out.println("from runAsync")).get();
            return 0;
        });
        assertThat(OUTPUT).extracting(OutputLine::text).contains("from the common pool", "from runAsync");
        assertThat(OUTPUT).filteredOn(l -> l.text().equals("from the common pool")).singleElement()
                .satisfies(l -> assertThat(l.stream()).isEqualTo(OutputLine.Stream.STDERR));
    }
}
