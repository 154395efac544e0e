package dev.skyward;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a running task knows about the node it runs on and the pool around it.
 *
 * <p>The same facts are in the environment of the agent process, so programs a task starts
 * ({@code torchrun}, {@code python}) inherit them: {@code MASTER_ADDR}, {@code MASTER_PORT},
 * {@code WORLD_SIZE}, {@code RANK}, {@code NODE_RANK}, {@code LOCAL_RANK=0}, {@code NNODES},
 * {@code GPUS_PER_NODE} and their {@code SKYWARD_*} equivalents.
 *
 * <pre>{@code
 * List<Integer> ranks = pool.broadcast(ctx -> ctx.rank());
 * List<Path> mine = pool.broadcast(ctx -> ctx.shard(allFiles));   // each node its stride
 * }</pre>
 */
public interface NodeContext {

    /** This node's rank, {@code 0 .. worldSize()-1}; rank 0 is the head. */
    int rank();

    /** Number of ranks in the pool: one per node. */
    int worldSize();

    /** Number of nodes in the pool (equal to {@link #worldSize()}: one agent per node). */
    int nodeCount();

    /** Address of the head node that other nodes reach it by ({@code MASTER_ADDR}). */
    String headAddress();

    /** Rendezvous port on the head node ({@code MASTER_PORT}, default 29500). */
    int headPort();

    /** Whether this node is the head (rank 0). */
    default boolean isHead() {
        return rank() == 0;
    }

    /** The accelerator this node has, or {@link Accelerator#NONE}. */
    Accelerator accelerator();

    /** The node's environment, including the distributed-training variables. */
    Map<String, String> env();

    /** Id of the task this context belongs to, unique within the pool. */
    long taskId();

    /**
     * This node's share of {@code items}: the elements at positions {@code rank, rank + worldSize,
     * rank + 2*worldSize, ...}. Together the nodes cover every element exactly once.
     *
     * @param items the whole list, identical on every node
     * @param <E> element type
     * @return a new list with this node's elements, in their original order
     */
    default <E> List<E> shard(List<E> items) {
        List<E> mine = new ArrayList<>();
        for (int i = rank(); i < items.size(); i += worldSize()) {
            mine.add(items.get(i));
        }
        return mine;
    }

    /**
     * A process builder whose environment already holds this node's distributed variables, for
     * starting {@code python}, {@code torchrun} and the like. Its output is not inherited; read it
     * (or call {@code inheritIO()}) as usual.
     *
     * @param command the program and its arguments
     * @return a new process builder
     */
    default ProcessBuilder process(String... command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env());
        return pb;
    }
}
