package dev.skyward.integrations.launch;

import dev.skyward.NodeContext;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The {@code TF_CONFIG} that {@code tf.distribute.MultiWorkerMirroredStrategy} reads: every node a
 * worker, this node's index its rank. Worker addresses are the head's with consecutive ports, which
 * is right on the local provider and needs {@code workers} from the caller elsewhere.
 *
 * <pre>{@code
 * List<String> workers = pool.nodes().stream().map(n -> n.address() + ":12345").toList();
 * pool.broadcast(ctx -> TensorFlow.run(ctx, workers, "python3", "train_tf.py"));
 * }</pre>
 */
public final class TensorFlow {

    private TensorFlow() {
    }

    /**
     * @param ctx the node
     * @param workers every node's {@code host:port}, in rank order
     * @return {@code {"cluster":{"worker":[...]},"task":{"type":"worker","index":rank}}}
     */
    public static String tfConfig(NodeContext ctx, List<String> workers) {
        if (workers.size() != ctx.nodeCount()) {
            throw new IllegalArgumentException("TF_CONFIG needs one worker address per node: got " + workers.size()
                    + " for " + ctx.nodeCount() + " nodes");
        }
        StringBuilder sb = new StringBuilder("{\"cluster\":{\"worker\":[");
        for (int i = 0; i < workers.size(); i++) {
            sb.append(i == 0 ? "" : ",").append('"').append(workers.get(i).replace("\"", "")).append('"');
        }
        return sb.append("]},\"task\":{\"type\":\"worker\",\"index\":").append(ctx.rank()).append("}}").toString();
    }

    /**
     * Runs a command with {@code TF_CONFIG} set and waits.
     *
     * @param ctx the node
     * @param workers every node's {@code host:port}, in rank order
     * @param command the program and its arguments
     * @return the output lines
     * @throws IOException when it cannot be started
     * @throws InterruptedException when the task is cancelled
     */
    public static List<String> run(NodeContext ctx, List<String> workers, String... command)
            throws IOException, InterruptedException {
        return Launch.run(ctx, List.of(command), Map.of("TF_CONFIG", tfConfig(ctx, workers)));
    }
}
