package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skyward.ComputePool;
import dev.skyward.OutputListener;
import dev.skyward.TaskFailedException;
import dev.skyward.TaskSerializationException;
import dev.skyward.testkit.Leaks;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A {@code map} sends runs of consecutive elements as one task each: the results still come back one
 * per element, in the elements' order, the runs spread over the nodes, a run too large for one
 * message travels in smaller ones, and an element that fails or cannot travel is reported as before.
 */
class MapRunsTest {

    @Test
    void manyElementsComeBackOnePerElementInOrderFromEveryNode() {
        ComputePool pool = ComputePool.builder().name("runs").nodes(2).console(false).output(OutputListener.SILENT)
                .build();
        List<Integer> ports = new ArrayList<>(Leaks.agentPorts(pool));
        try (pool) {
            List<Integer> items = IntStream.range(0, 10_000).boxed().toList();
            List<long[]> out = pool.map(items, (ctx, x) -> new long[] {x * 3L, ctx.rank()});
            assertThat(out).hasSize(items.size());
            for (int i = 0; i < items.size(); i++) {
                assertThat(out.get(i)[0]).as("element %d", i).isEqualTo(i * 3L);
            }
            assertThat(out.stream().map(r -> r[1]).distinct().sorted().toList()).as("both nodes took runs")
                    .containsExactly(0L, 1L);

            List<Integer> nulls = new ArrayList<>(List.of(1, 2, 3));
            nulls.add(1, null);
            assertThat(pool.map(nulls, (ctx, x) -> x == null ? "none" : "n" + x)).containsExactly("n1", "none", "n2", "n3");
            assertThat(pool.map(List.<Integer>of(), (ctx, x) -> x)).isEmpty();
        }
        Leaks.assertNothingLeft(pool, ports);
    }

    @Test
    void runsLargerThanOneMessageTravelInSmallerOnesAndEveryByteArrives() {
        ComputePool pool = ComputePool.builder().name("big-runs").nodes(1).console(false)
                .output(OutputListener.SILENT).build();
        List<Integer> ports = new ArrayList<>(Leaks.agentPorts(pool));
        try (pool) {
            // 3,000 elements on one node make runs of ~375; 40 of them of 1 MiB exceed a run's byte budget.
            List<byte[]> items = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                byte[] b = new byte[i % 75 == 0 ? 1 << 20 : 16];
                java.util.Arrays.fill(b, (byte) i);
                items.add(b);
            }
            List<Long> sums = pool.map(items, (ctx, b) -> {
                long s = 0;
                for (byte x : b) {
                    s += x;
                }
                return s;
            });
            for (int i = 0; i < items.size(); i++) {
                assertThat(sums.get(i)).as("element %d", i).isEqualTo((long) (byte) i * items.get(i).length);
            }
        }
        Leaks.assertNothingLeft(pool, ports);
    }

    @Test
    void anElementThatThrowsFailsTheMapWithItsCauseAndOneThatCannotTravelIsNamed() {
        ComputePool pool = ComputePool.builder().name("runs-fail").nodes(2).console(false)
                .output(OutputListener.SILENT).build();
        List<Integer> ports = new ArrayList<>(Leaks.agentPorts(pool));
        try (pool) {
            TaskFailedException failed = catchThrowableOfType(TaskFailedException.class,
                    () -> pool.map(IntStream.range(0, 1_000).boxed().toList(), (ctx, x) -> {
                        if (x == 617) {
                            throw new IllegalArgumentException("bad element " + x);
                        }
                        return x;
                    }));
            assertThat(failed.getCause()).isInstanceOf(IllegalArgumentException.class).hasMessage("bad element 617");

            List<Object> items = new ArrayList<>(IntStream.range(0, 500).boxed().toList());
            items.set(321, new Thread());
            TaskSerializationException unsendable = catchThrowableOfType(TaskSerializationException.class,
                    () -> pool.map(items, (ctx, x) -> String.valueOf(x)));
            assertThat(unsendable).hasMessageContaining("map element 321");

            assertThat(pool.map(List.of(5, 6), (ctx, x) -> x + 1)).as("the pool still works").containsExactly(6, 7);
        }
        Leaks.assertNothingLeft(pool, ports);
    }
}
