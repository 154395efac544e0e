package dev.skyward.wire.serial;

import dev.skyward.MapTask;
import dev.skyward.NodeContext;
import dev.skyward.Task;

/**
 * One element of a {@code map}: the function and its element, travelling as one task. A named class
 * in the wire module (not a lambda in the engine) so the agent already has it.
 *
 * @param <I> element type
 * @param <T> result type
 */
public final class MapCall<I, T> implements Task<T> {

    private static final long serialVersionUID = 1L;

    private final MapTask<? super I, ? extends T> fn;
    private final I item;

    /**
     * @param fn the function
     * @param item the element
     */
    public MapCall(MapTask<? super I, ? extends T> fn, I item) {
        this.fn = fn;
        this.item = item;
    }

    @Override
    public T call(NodeContext ctx) throws Exception {
        return fn.apply(ctx, item);
    }

    /** The function, for inspection before sending. */
    public MapTask<? super I, ? extends T> fn() {
        return fn;
    }

    /** The element, for inspection before sending. */
    public I item() {
        return item;
    }
}
