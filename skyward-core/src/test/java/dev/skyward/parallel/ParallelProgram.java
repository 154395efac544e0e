package dev.skyward.parallel;

import dev.skyward.ComputePool;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** A user's program: the executor and the unordered map, run by a JVM started with no flags. */
public final class ParallelProgram {

    private ParallelProgram() {
    }

    public static void main(String[] args) throws Exception {
        try (ComputePool pool = ComputePool.builder().name("parallel-child").nodes(2).console(false)
                .output(l -> { }).build()) {
            System.out.println("pool " + pool.id());
            long here = ProcessHandle.current().pid();
            ExecutorService exec = pool.executor();
            List<Callable<Long>> pids = List.of((RemoteCallable<Long>) () -> ProcessHandle.current().pid(),
                    (RemoteCallable<Long>) () -> ProcessHandle.current().pid());
            long remote = 0;
            for (Future<Long> f : exec.invokeAll(pids)) {
                remote += f.get() != here ? 1 : 0;
            }
            System.out.println("invokeAll remote " + remote);
            System.out.println("supplyAsync " + pool.executor().supplyAsync(() -> 6 * 7).thenApply(x -> x + 1).get());
            try (Stream<Integer> squares = pool.mapUnordered(IntStream.range(0, 1000).boxed(), (ctx, x) -> x * x)) {
                System.out.println("mapUnordered sum " + squares.mapToLong(Integer::longValue).sum());
            }
            try (Stream<Integer> streamed = pool.stream(ctx -> List.of(1, 2, 3).iterator())) {
                System.out.println("stream " + streamed.toList());
            }
            exec.shutdown();
            System.out.println("terminated " + exec.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS));
        }
    }
}
