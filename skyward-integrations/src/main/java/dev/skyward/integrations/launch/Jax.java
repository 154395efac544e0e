package dev.skyward.integrations.launch;

import dev.skyward.NodeContext;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The environment {@code jax.distributed.initialize()} reads, for a script started on every node.
 *
 * <pre>{@code
 * pool.broadcast(ctx -> Jax.run(ctx, "python3", "train_jax.py"));
 * }</pre>
 */
public final class Jax {

    private Jax() {
    }

    /**
     * @param ctx the node
     * @return {@code JAX_COORDINATOR_ADDRESS=head:port}, {@code JAX_NUM_PROCESSES}, {@code JAX_PROCESS_ID}
     */
    public static Map<String, String> environment(NodeContext ctx) {
        return Map.of("JAX_COORDINATOR_ADDRESS", ctx.headAddress() + ":" + ctx.headPort(),
                "JAX_NUM_PROCESSES", Integer.toString(ctx.nodeCount()),
                "JAX_PROCESS_ID", Integer.toString(ctx.rank()));
    }

    /**
     * Runs a command with that environment and waits.
     *
     * @param ctx the node
     * @param command the program and its arguments, e.g. {@code python3 train.py}
     * @return the output lines
     * @throws IOException when it cannot be started
     * @throws InterruptedException when the task is cancelled
     */
    public static List<String> run(NodeContext ctx, String... command) throws IOException, InterruptedException {
        return Launch.run(ctx, List.of(command), environment(ctx));
    }
}
