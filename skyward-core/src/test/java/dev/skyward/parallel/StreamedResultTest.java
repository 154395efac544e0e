package dev.skyward.parallel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.ComputePool;
import dev.skyward.TaskFailedException;
import dev.skyward.testkit.Leaks;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code pool.stream}: a task's elements come back as they are produced, with flow control. */
class StreamedResultTest {

    private static ComputePool pool;
    private static List<Integer> ports;

    @BeforeAll
    static void openPool() {
        pool = ComputePool.builder().name("stream-test").nodes(1).concurrency(2).console(false).output(l -> { })
                .build();
        ports = Leaks.agentPorts(pool);
    }

    @AfterAll
    static void closePoolAndCheckNothingIsLeft() {
        pool.close();
        Leaks.assertNothingLeft(pool, ports);
    }

    @Test
    void theFirstElementArrivesWhileTheTaskIsStillRunning() throws Exception {
        Path dir = Files.createTempDirectory("first");
        String gate = dir.resolve("gate").toString();
        // The producer cannot go past element 0 until this test has received element 0.
        try (Stream<Integer> elements = pool.stream(ctx -> new Gated(gate))) {
            Iterator<Integer> it = elements.iterator();
            assertThat(it.next()).isZero();
            Tasks.create(gate);
            assertThat(it.next()).isEqualTo(1);
            assertThat(it.next()).isEqualTo(2);
            assertThat(it.hasNext()).isFalse();
        }
    }

    @Test
    void theProducerIsNeverMoreThanAWindowAheadOfTheConsumer() throws Exception {
        Path dir = Files.createTempDirectory("flow");
        String d = dir.toString();
        int window = 4;
        int n = 200;
        // Each element says how far ahead of the consumer the producer was when it made it: the
        // consumer marks every element it has taken with a file before asking for the next.
        Stream<Integer> aheadOfConsumer = pool.stream(ctx -> IntStream.range(0, n).mapToObj(i -> {
            try (Stream<Path> consumed = Files.list(Path.of(d))) {
                return i - (int) consumed.count();
            } catch (java.io.IOException e) {
                throw new UncheckedIOException(e);
            }
        }).iterator(), window);
        int most = Integer.MIN_VALUE;
        int taken = 0;
        try (aheadOfConsumer) {
            for (Iterator<Integer> it = aheadOfConsumer.iterator(); it.hasNext(); ) {
                most = Math.max(most, it.next());
                taken++;
                Files.createFile(dir.resolve("consumed-" + taken));
            }
        }
        assertThat(taken).isEqualTo(n);
        assertThat(most).isLessThanOrEqualTo(window);
    }

    @Test
    void closingTheStreamStopsAndClosesTheProducerOnItsNode() throws Exception {
        Path dir = Files.createTempDirectory("stop");
        String d = dir.toString();
        try (Stream<Long> endless = pool.stream(ctx -> new Endless(d), 4)) {
            assertThat(endless.limit(3)).containsExactly(0L, 1L, 2L);
        }
        Tasks.awaitFile(dir.resolve("closed"));
        long produced;
        try (Stream<Path> files = Files.list(dir)) {
            produced = files.filter(p -> p.getFileName().toString().startsWith("produced-")).count();
        }
        // Stopped for good: it had produced no more than the window ahead of the 3 consumed.
        assertThat(produced).isBetween(3L, 3L + 4 + 1);
    }

    @Test
    void aFailureBetweenElementsArrivesAfterTheElementsBeforeIt() {
        try (Stream<Integer> elements = pool.stream(ctx -> IntStream.range(0, 5).map(i -> {
            if (i == 2) {
                throw new IllegalStateException("element 2 is broken");
            }
            return i;
        }).boxed().iterator())) {
            Iterator<Integer> it = elements.iterator();
            assertThat(it.next()).isZero();
            assertThat(it.next()).isEqualTo(1);
            assertThatThrownBy(it::hasNext).isInstanceOf(TaskFailedException.class)
                    .cause().isInstanceOf(IllegalStateException.class).hasMessage("element 2 is broken");
        }
    }

    @Test
    void manyElementsArriveInOrderAndComplete() {
        try (Stream<Integer> elements = pool.stream(ctx -> IntStream.range(0, 10_000).boxed().iterator())) {
            int[] expected = {0};
            elements.forEach(e -> assertThat(e).isEqualTo(expected[0]++));
            assertThat(expected[0]).isEqualTo(10_000);
        }
    }

    @Test
    void aWindowBelowOneIsRefused() {
        assertThatThrownBy(() -> pool.stream(ctx -> List.of(1).iterator(), 0)).hasMessageContaining("at least 1");
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Yields 0, 1, 2, but 1 only once the gate file exists. */
    static final class Gated implements Iterator<Integer>, java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final String gate;
        private int next;

        Gated(String gate) {
            this.gate = gate;
        }

        @Override
        public boolean hasNext() {
            return next < 3;
        }

        @Override
        public Integer next() {
            if (next == 1) {
                while (!Files.exists(Path.of(gate))) {
                    sleep(5);
                }
            }
            return next++;
        }
    }

    /** Counts forever, marking each element it makes; marks "closed" when its consumer is gone. */
    static final class Endless implements Iterator<Long>, AutoCloseable, java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final String dir;
        private long next;

        Endless(String dir) {
            this.dir = dir;
        }

        @Override
        public boolean hasNext() {
            return true;
        }

        @Override
        public Long next() {
            Tasks.create(dir + "/produced-" + next);
            return next++;
        }

        @Override
        public void close() {
            Tasks.create(dir + "/closed");
        }
    }
}
