package dev.skyward.parallel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.ComputePool;
import dev.skyward.TaskFailedException;
import dev.skyward.testkit.Leaks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code pool.mapUnordered}: results as they finish, and never more than a window of elements taken. */
class CompletionOrderTest {

    private static ComputePool pool;
    private static List<Integer> ports;

    @BeforeAll
    static void openPool() {
        pool = ComputePool.builder().name("unordered-test").nodes(2).concurrency(2).console(false).output(l -> { })
                .build();
        ports = Leaks.agentPorts(pool);
    }

    @AfterAll
    static void closePoolAndCheckNothingIsLeft() {
        pool.close();
        Leaks.assertNothingLeft(pool, ports);
    }

    @Test
    void resultsComeInTheOrderTheyFinishNotInInputOrder() throws Exception {
        Path dir = Files.createTempDirectory("order");
        Path release = dir.resolve("release");
        String r = release.toString();
        // "first" cannot finish until this test has received "second" and released it.
        try (Stream<String> results = pool.mapUnordered(List.of("first", "second"), (ctx, name) -> {
            while (name.equals("first") && !Files.exists(Path.of(r))) {
                Thread.sleep(5);
            }
            return name;
        })) {
            Iterator<String> it = results.iterator();
            assertThat(it.next()).isEqualTo("second");
            Tasks.create(r);
            assertThat(it.next()).isEqualTo("first");
            assertThat(it.hasNext()).isFalse();
        }
        Files.delete(release);
        Files.delete(dir);
    }

    @Test
    void aLargeLazyInputIsNeverTakenMoreThanAWindowAhead() {
        int n = 20_000;
        int window = 8;
        AtomicLong taken = new AtomicLong();
        Iterator<Integer> lazy = new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < n;
            }

            @Override
            public Integer next() {
                taken.incrementAndGet();
                return next++;
            }
        };
        long consumed = 0;
        long sum = 0;
        long mostAhead = 0;
        try (Stream<Long> squares = pool.mapUnordered(lazy, (ctx, x) -> (long) x * x, window)) {
            for (Iterator<Long> it = squares.iterator(); it.hasNext(); ) {
                sum += it.next();
                consumed++;
                mostAhead = Math.max(mostAhead, taken.get() - consumed);
            }
        }
        assertThat(consumed).isEqualTo(n);
        assertThat(sum).isEqualTo((long) (n - 1) * n * (2L * n - 1) / 6);
        // Taken but not yet consumed: on the nodes, in transit or finished here. Never above the window.
        assertThat(mostAhead).isLessThanOrEqualTo(window);
    }

    @Test
    void theIteratorReportsItsPeakInFlightWithinTheWindow() {
        CompletionOrder<Integer, Integer> it = CompletionOrder.iterator(pool, Stream.iterate(0, i -> i + 1).limit(500)
                .iterator(), (ctx, x) -> x + 1, 5);
        long count = 0;
        while (it.hasNext()) {
            it.next();
            count++;
        }
        it.close();
        assertThat(count).isEqualTo(500);
        assertThat(it.peakInFlight()).isBetween(1, 5);
    }

    @Test
    void anEndlessInputCanBeConsumedInPart() {
        AtomicLong taken = new AtomicLong();
        Stream<Integer> endless = Stream.iterate(0, i -> i + 1).peek(i -> taken.incrementAndGet());
        try (Stream<Integer> results = pool.mapUnordered(endless, (ctx, x) -> x)) {
            assertThat(results.limit(100).count()).isEqualTo(100);
        }
        // The default window is 2 x 2 nodes x 2 tasks per node.
        assertThat(taken.get()).isBetween(100L, 108L);
    }

    @Test
    void aFailedElementEndsTheStreamWithItsException() {
        try (Stream<Integer> results = pool.mapUnordered(List.of(1, 2, 0, 4), (ctx, x) -> 12 / x)) {
            assertThatThrownBy(() -> results.forEach(r -> { })).isInstanceOf(TaskFailedException.class)
                    .cause().isInstanceOf(ArithmeticException.class);
        }
    }

    @Test
    void closingTheIteratorInterruptsTheElementsStillRunning() throws Exception {
        Path dir = Files.createTempDirectory("close");
        String d = dir.toString();
        CompletionOrder<String, String> it = CompletionOrder.iterator(pool, List.of("a", "b").iterator(),
                (ctx, name) -> sleepUnlessInterrupted(d, name), 4);
        assertThat(it.hasNext()).isTrue(); // takes the input and sends it, without waiting for a result
        Tasks.awaitFile(dir.resolve("a.started"));
        Tasks.awaitFile(dir.resolve("b.started"));
        it.close();
        Tasks.awaitFile(dir.resolve("a.interrupted"));
        Tasks.awaitFile(dir.resolve("b.interrupted"));
        assertThat(it.hasNext()).isFalse();
    }

    @Test
    void closingTheStreamAfterTheFirstResultInterruptsTheRest() throws Exception {
        Path dir = Files.createTempDirectory("close-stream");
        String d = dir.toString();
        try (Stream<String> results = pool.mapUnordered(List.of("quick", "slow"),
                (ctx, name) -> name.equals("quick") ? name : sleepUnlessInterrupted(d, name))) {
            assertThat(results.findFirst()).contains("quick");
            Tasks.awaitFile(dir.resolve("slow.started"));
        }
        Tasks.awaitFile(dir.resolve("slow.interrupted"));
    }

    private static String sleepUnlessInterrupted(String dir, String name) throws InterruptedException {
        Tasks.create(dir + "/" + name + ".started");
        try {
            Thread.sleep(60_000);
        } catch (InterruptedException e) {
            Tasks.create(dir + "/" + name + ".interrupted");
            throw e;
        }
        return name;
    }
}
