package dev.skyward.examples;

import dev.skyward.ComputePool;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

/**
 * A pool that heals: two nodes on the local provider map 400 items; midway, the example kills the
 * agent of rank 1 (as a crash or a reclaimed spot machine would). The console shows the loss, the
 * replacement and its time; the map still returns every item once, in order.
 *
 * <pre>
 * java -cp examples/target/skyward-examples.jar dev.skyward.examples.Healing
 * </pre>
 */
public final class Healing {

    private Healing() {
    }

    /**
     * @param args ignored
     */
    public static void main(String[] args) throws Exception {
        try (var pool = ComputePool.builder().name("healing").nodes(2).concurrency(2).build()) {
            List<Integer> items = IntStream.range(0, 400).boxed().toList();
            CompletableFuture<List<Integer>> squares = CompletableFuture.supplyAsync(() -> pool.map(items, (ctx, x) -> {
                Thread.sleep(20);
                return x * x;
            }));
            Thread.sleep(1_000);
            ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().map(c -> c.contains("--pool " + pool.id() + " ")
                            && c.matches(".*--rank 1( .*|$)")).orElse(false))
                    .forEach(ProcessHandle::destroyForcibly);
            List<Integer> out = squares.get();
            System.out.println("map: " + out.size() + " results, last " + out.get(out.size() - 1));
            Thread.sleep(3_000); // the replacement is usually ready by now
            System.out.println("nodes: " + pool.nodes());
            System.out.println("broadcast: " + pool.broadcast(ctx -> "rank " + ctx.rank()));
        }
    }
}
