package dev.skyward.integrations.launch;

import dev.skyward.NodeContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a script under Hugging Face {@code accelerate launch} on every node, wired to the pool.
 *
 * <pre>{@code
 * pool.broadcast(ctx -> Accelerate.run(ctx, "finetune.py"));
 * }</pre>
 */
public final class Accelerate {

    private Accelerate() {
    }

    /**
     * @param ctx the node
     * @param script the script
     * @param args its arguments
     * @return {@code accelerate launch --num_machines N --machine_rank R --num_processes N*G
     *     --main_process_ip A --main_process_port P script args}
     */
    public static List<String> command(NodeContext ctx, String script, String... args) {
        int perNode = Launch.processesPerNode(ctx);
        List<String> cmd = new ArrayList<>(List.of("accelerate", "launch",
                "--num_machines", Integer.toString(ctx.nodeCount()),
                "--machine_rank", Integer.toString(ctx.rank()),
                "--num_processes", Integer.toString(ctx.nodeCount() * perNode),
                "--main_process_ip", ctx.headAddress(),
                "--main_process_port", Integer.toString(ctx.headPort()),
                script));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Runs the script under accelerate on this node and waits.
     *
     * @param ctx the node
     * @param script the script
     * @param args its arguments
     * @return the output lines
     * @throws IOException when accelerate cannot be started
     * @throws InterruptedException when the task is cancelled
     */
    public static List<String> run(NodeContext ctx, String script, String... args)
            throws IOException, InterruptedException {
        return Launch.run(ctx, command(ctx, script, args), Map.of());
    }
}
