package dev.skyward.examples;

import dev.skyward.ComputePool;
import java.util.List;

/**
 * The first example: a two-node pool on the local provider (two agent JVMs on this machine, no cloud
 * account), one task per node, a broadcast and a map.
 *
 * <pre>
 * ./mvnw -q -pl examples -am package -DskipTests &amp;&amp; java -jar examples/target/skyward-examples.jar
 * </pre>
 */
public final class Hello {

    private Hello() {
    }

    /**
     * @param args ignored
     */
    public static void main(String[] args) {
        try (var pool = ComputePool.builder().name("hello").nodes(2).build()) {
            for (int rank = 0; rank < pool.size(); rank++) {
                String where = pool.node(rank).run(ctx ->
                        "I am rank " + ctx.rank() + " of " + ctx.worldSize() + ", head at " + ctx.headAddress()
                                + ":" + ctx.headPort() + ", pid " + ProcessHandle.current().pid());
                System.out.println(where);
            }

            List<String> hosts = pool.broadcast(ctx -> {
                System.out.println("hello from node " + ctx.rank());
                return "rank " + ctx.rank() + " sees WORLD_SIZE=" + System.getenv("WORLD_SIZE");
            });
            System.out.println("broadcast: " + hosts);

            List<Integer> squares = pool.map(List.of(1, 2, 3, 4, 5, 6), (ctx, x) -> x * x);
            System.out.println("map: " + squares);
        }
    }
}
