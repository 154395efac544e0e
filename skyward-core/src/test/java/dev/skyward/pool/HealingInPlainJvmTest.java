package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.NodeInfo;
import dev.skyward.OutputListener;
import dev.skyward.PoolEvent;
import dev.skyward.testkit.Leaks;
import dev.skyward.testing.TestClasspath;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Replacement and retries as users run them: {@code java -cp app.jar Main}, no JVM flags, default settings. */
class HealingInPlainJvmTest {

    @Test
    void aProgramStartedWithoutFlagsGetsEveryResultOnceAndItsRankBackAfterAnAgentIsKilled() throws Exception {
        Process p = TestClasspath.plainJava(KilledAgentProgram.class).redirectErrorStream(true).start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("results 1000 distinct 1000 correct true", "replaced rank 1", "nodes [0, 1] lost 0",
                "skyward:   node 1 lost: ", "skyward:   replacing node 1 (1st replacement of the rank)",
                "skyward:   node 1 replaced");
        String poolId = out.lines().filter(l -> l.startsWith("pool ")).findFirst().orElseThrow().substring(5);
        Leaks.assertNothingLeft(poolId, List.of());
    }

    /** Maps 1,000 items on two nodes, kills rank 1's agent meanwhile, and prints what it got. */
    public static final class KilledAgentProgram {
        public static void main(String[] args) throws Exception {
            CountDownLatch replaced = new CountDownLatch(1);
            try (ComputePool pool = ComputePool.builder().name("plain-heal").nodes(2).concurrency(2)
                    .output(OutputListener.SILENT).listener(e -> {
                        if (e instanceof PoolEvent.NodeReplaced r) {
                            System.out.println("replaced rank " + r.node().rank());
                            replaced.countDown();
                        }
                    }).build()) {
                System.out.println("pool " + pool.id());
                List<Integer> items = IntStream.range(0, 1000).boxed().toList();
                CompletableFuture<List<Integer>> results = CompletableFuture.supplyAsync(() -> pool.map(items, (ctx, x) -> {
                    Thread.sleep(10);
                    return x + 1;
                }));
                Thread.sleep(1_000);
                HealingPoolTest.agentOf(pool.id(), 1).destroyForcibly();
                List<Integer> got = results.get(4, TimeUnit.MINUTES);
                boolean correct = IntStream.range(0, 1000).allMatch(i -> got.get(i) == i + 1);
                System.out.println("results " + got.size() + " distinct " + new HashSet<>(got).size() + " correct " + correct);
                replaced.await(3, TimeUnit.MINUTES);
                System.out.println("nodes " + pool.nodes().stream().map(NodeInfo::rank).toList() + " lost "
                        + pool.nodes().stream().filter(NodeInfo::isLost).count());
            }
        }
    }
}
