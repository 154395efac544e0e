package dev.skyward;

import java.io.Serializable;

/**
 * A function applied to each element of a collection by {@link ComputePool#map}.
 *
 * <pre>{@code
 * List<Double> losses = pool.map(configs, (ctx, cfg) -> train(cfg));
 * }</pre>
 *
 * @param <I> the element type; each element travels to the node that processes it
 * @param <T> the result type
 */
@FunctionalInterface
public interface MapTask<I, T> extends Serializable {

    /**
     * Processes one element on a node.
     *
     * @param ctx the node this call runs on
     * @param item one element of the input collection
     * @return the result for that element
     * @throws Exception reported to the caller as a {@link TaskFailedException}
     */
    T apply(NodeContext ctx, I item) throws Exception;
}
