package dev.skyward.integrations.launch;

import dev.skyward.NodeContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a PyTorch script under {@code torchrun} on every node, wired to the pool's rendezvous: one
 * process per accelerator (one on CPU nodes), the head as master.
 *
 * <pre>{@code
 * pool.broadcast(ctx -> Torchrun.run(ctx, "train.py", "--epochs", "3"));
 * }</pre>
 */
public final class Torchrun {

    private Torchrun() {
    }

    /**
     * The torchrun command line for this node.
     *
     * @param ctx the node
     * @param script the training script
     * @param args the script's arguments
     * @return {@code torchrun --nnodes N --node_rank R --nproc_per_node G --master_addr A --master_port P script args}
     */
    public static List<String> command(NodeContext ctx, String script, String... args) {
        List<String> cmd = new ArrayList<>(List.of("torchrun",
                "--nnodes", Integer.toString(ctx.nodeCount()),
                "--node_rank", Integer.toString(ctx.rank()),
                "--nproc_per_node", Integer.toString(Launch.processesPerNode(ctx)),
                "--master_addr", ctx.headAddress(),
                "--master_port", Integer.toString(ctx.headPort()),
                script));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Runs the script under torchrun on this node and waits; its output becomes the task's output.
     *
     * @param ctx the node
     * @param script the training script
     * @param args the script's arguments
     * @return the output lines
     * @throws IOException when torchrun cannot be started
     * @throws InterruptedException when the task is cancelled
     * @throws IllegalStateException when torchrun exits non-zero, with its last output
     */
    public static List<String> run(NodeContext ctx, String script, String... args)
            throws IOException, InterruptedException {
        return Launch.run(ctx, command(ctx, script, args), Map.of());
    }
}
