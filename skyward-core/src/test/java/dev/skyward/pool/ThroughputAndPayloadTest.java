package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.ComputePool;
import dev.skyward.NodeLostException;
import dev.skyward.OutputListener;
import dev.skyward.Replacement;
import dev.skyward.testkit.Leaks;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Many tasks at once, and payloads far larger than one frame, in both directions. */
class ThroughputAndPayloadTest {

    private static final int MIB = 1 << 20;
    private static ComputePool pool;
    private static List<Integer> ports;

    @BeforeAll
    static void openPool() {
        pool = ComputePool.builder().name("load-test").nodes(2).concurrency(8).console(false)
                .output(OutputListener.SILENT).build();
        ports = Leaks.agentPorts(pool);
    }

    @AfterAll
    static void closePool() {
        pool.close();
        Leaks.assertNothingLeft(pool, ports);
    }

    @Test
    void tenThousandTasksFromEightThreadsEachGetTheirOwnResult() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<Boolean>>> perThread = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                perThread.add(clients.submit(() -> {
                    List<CompletableFuture<String>> futures = new ArrayList<>();
                    List<String> expected = new ArrayList<>();
                    for (int i = 0; i < 1250; i++) {
                        String key = thread + ":" + i;
                        expected.add(key + "!");
                        futures.add(pool.submit(ctx -> key + "!"));
                    }
                    List<Boolean> ok = new ArrayList<>();
                    for (int i = 0; i < futures.size(); i++) {
                        ok.add(futures.get(i).get(60, TimeUnit.SECONDS).equals(expected.get(i)));
                    }
                    return ok;
                }));
            }
            int matched = 0;
            for (Future<List<Boolean>> f : perThread) {
                List<Boolean> ok = f.get(120, TimeUnit.SECONDS);
                assertThat(ok).hasSize(1250).doesNotContain(false);
                matched += ok.size();
            }
            assertThat(matched).isEqualTo(10_000);
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void a256MiBArgumentArrivesIntact() {
        byte[] data = new byte[256 * MIB];
        new Random(7).nextBytes(data);
        long expected = crc(data);
        long seen = pool.run(ctx -> crc(data));
        assertThat(seen).isEqualTo(expected);
    }

    @Test
    void a256MiBResultArrivesIntact() {
        byte[] result = pool.run(ctx -> {
            byte[] out = new byte[256 * MIB];
            new Random(11).nextBytes(out);
            return out;
        });
        byte[] expected = new byte[256 * MIB];
        new Random(11).nextBytes(expected);
        assertThat(result).hasSize(256 * MIB);
        assertThat(crc(result)).isEqualTo(crc(expected));
    }

    @Test
    void twoLargeResultsOfOneNodeAtOnceEachArriveIntact() throws Exception {
        // Both are sent at once on the node's one session, so their chunks interleave on the way.
        CompletableFuture<byte[]> first = pool.node(0).submit(ctx -> random(96 * MIB + 5, 21));
        CompletableFuture<byte[]> second = pool.node(0).submit(ctx -> random(80 * MIB + 3, 22));
        assertThat(crc(first.get(120, TimeUnit.SECONDS))).isEqualTo(crc(random(96 * MIB + 5, 21)));
        assertThat(crc(second.get(120, TimeUnit.SECONDS))).isEqualTo(crc(random(80 * MIB + 3, 22)));
    }

    @Test
    void aLargeResultCancelledWhileItArrivesIsDroppedAndTheNextOneArrivesIntact() throws Exception {
        CompletableFuture<byte[]> cancelled = pool.node(1).submit(ctx -> new byte[512 * MIB]);
        Thread.sleep(300);
        assertThat(cancelled.cancel(true)).isTrue();
        byte[] next = pool.node(1).run(ctx -> random(64 * MIB, 23));
        assertThat(crc(next)).isEqualTo(crc(random(64 * MIB, 23)));
    }

    @Test
    void aNodeLostWhileItsLargeResultArrivesFailsTheTaskAndTheOtherNodeGoesOn() throws Exception {
        // Neither replaced nor retried: the task would halt the next agent too.
        try (ComputePool p = ComputePool.builder().name("lost-mid-result").nodes(2).console(false)
                .replacement(Replacement.NEVER).retries(0).output(OutputListener.SILENT).build()) {
            List<Integer> ps = Leaks.agentPorts(p);
            // The agent halts itself shortly after its result starts out: 512 MiB take longer than that.
            CompletableFuture<byte[]> lost = p.node(0).submit(ctx -> {
                Thread killer = new Thread(() -> {
                    try {
                        Thread.sleep(150);
                    } catch (InterruptedException e) {
                        return;
                    }
                    Runtime.getRuntime().halt(3);
                });
                killer.setDaemon(true);
                killer.start();
                return new byte[512 * MIB];
            });
            assertThatThrownBy(() -> lost.get(120, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(NodeLostException.class);
            byte[] next = p.node(1).run(ctx -> random(64 * MIB, 24));
            assertThat(crc(next)).isEqualTo(crc(random(64 * MIB, 24)));
            p.close();
            Leaks.assertNothingLeft(p, ps);
        }
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static long crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }
}
