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

    /**
     * This function, marked to run at most once per element: an element whose node is lost while it
     * runs fails the map with {@link NodeLostException} instead of being retried on another node.
     *
     * <pre>{@code
     * pool.map(orders, MapTask.once((ctx, order) -> payments.charge(order)));
     * }</pre>
     *
     * @param fn the function
     * @param <I> element type
     * @param <T> result type
     * @return the function, marked
     */
    static <I, T> MapTask<I, T> once(MapTask<I, T> fn) {
        return fn instanceof Once<I, T> o ? o : new Once<>(Require.notNull(fn, "fn"));
    }

    /**
     * A function never retried after a node loss; made by {@link MapTask#once(MapTask)}.
     *
     * @param fn the function it applies
     * @param <I> element type
     * @param <T> result type
     */
    record Once<I, T>(MapTask<I, T> fn) implements MapTask<I, T> {
        private static final long serialVersionUID = 1L;

        @Override
        public T apply(NodeContext ctx, I item) throws Exception {
            return fn.apply(ctx, item);
        }
    }
}
