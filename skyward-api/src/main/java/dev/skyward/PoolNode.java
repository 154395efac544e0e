package dev.skyward;

import java.util.concurrent.CompletableFuture;

/**
 * One node of a pool, for pinning tasks to it.
 *
 * <pre>{@code
 * String where = pool.head().run(ctx -> ctx.headAddress());
 * pool.node(1).submit(ctx -> prepareShard(ctx.rank()));
 * }</pre>
 */
public interface PoolNode {

    /** The node's rank. */
    int rank();

    /** The node's details. */
    NodeInfo info();

    /**
     * Runs a task on this node and waits for its result.
     *
     * @param task the task
     * @param <T> result type
     * @return the task's result
     * @throws TaskFailedException when the task throws
     * @throws TaskSerializationException when the task cannot be sent
     */
    <T> T run(Task<T> task);

    /**
     * Sends a task to this node.
     *
     * @param task the task
     * @param <T> result type
     * @return completes with the result, or exceptionally with {@link TaskFailedException},
     *     {@link PoolClosedException} or {@link NodeLostException}
     */
    <T> CompletableFuture<T> submit(Task<T> task);
}
