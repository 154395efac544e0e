package dev.skyward.wire.serial;

import dev.skyward.MapTask;
import dev.skyward.NodeContext;
import dev.skyward.Task;
import java.util.Arrays;
import java.util.List;

/**
 * A run of consecutive elements of a {@code map} and their function, travelling as one task that
 * applies the function to each element in order and returns the results in the same order. A named
 * class in the wire module (not a lambda in the engine) so the agent already has it.
 *
 * <p>Why several elements per task: each task costs a frame each way, a dispatch and a future on the
 * client and a hand-off on the node, which for tiny elements is most of the work (profiled in
 * PROFILING.md); the engine sizes the runs so that every node still gets several of them.
 *
 * @param <I> element type
 */
public final class MapCall<I> implements Task<Object[]> {

    private static final long serialVersionUID = 2L;

    private final MapTask<? super I, ?> fn;
    private final Object[] items;

    /**
     * @param fn the function
     * @param items the elements, in order
     */
    public MapCall(MapTask<? super I, ?> fn, List<? extends I> items) {
        this(fn, items.toArray());
    }

    MapCall(MapTask<? super I, ?> fn, Object[] items) {
        this.fn = fn;
        this.items = items;
    }

    /** Applies the function to each element; a cancelled task stops between elements. */
    @Override
    @SuppressWarnings("unchecked")
    public Object[] call(NodeContext ctx) throws Exception {
        Object[] results = new Object[items.length];
        for (int i = 0; i < items.length; i++) {
            if (Thread.interrupted()) {
                throw new InterruptedException("cancelled after " + i + " of " + items.length + " map elements");
            }
            results[i] = fn.apply(ctx, (I) items[i]);
        }
        return results;
    }

    /** The function, for inspection before sending. */
    public MapTask<? super I, ?> fn() {
        return fn;
    }

    /** The elements, for inspection before sending. */
    public List<Object> items() {
        return Arrays.asList(items);
    }

    Object[] itemArray() {
        return items;
    }
}
