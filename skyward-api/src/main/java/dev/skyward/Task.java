package dev.skyward;

import java.io.Serializable;

/**
 * A unit of work that runs on one node of a {@link ComputePool}.
 *
 * <p>A task is usually a lambda. It is serialized on the caller's thread when it is submitted, so
 * everything it captures must be able to travel: {@link java.io.Serializable} values, not
 * connections, threads or streams. A capture that cannot travel fails at once with a
 * {@link TaskSerializationException} naming the offending type and the path to it.
 *
 * <pre>{@code
 * int epochs = 3;
 * double loss = pool.run(ctx -> train(epochs, ctx.rank()));
 * }</pre>
 *
 * @param <T> the result type; it travels back to the caller, so it should be serializable too
 */
@FunctionalInterface
public interface Task<T> extends Serializable {

    /**
     * Runs on the node.
     *
     * @param ctx where this task runs: rank, world size, head address, accelerator, environment
     * @return the result, sent back to the caller
     * @throws Exception anything; it reaches the caller as a {@link TaskFailedException} whose cause
     *     is the original exception (type, message, remote stack, causes and suppressed ones)
     */
    T call(NodeContext ctx) throws Exception;
}
