package dev.skyward.parallel;

import dev.skyward.MapTask;
import dev.skyward.NodeContext;
import dev.skyward.Task;

/** One element of an unordered map, with the function to apply to it: what travels per element. */
final class ElementTask<I, T> implements Task<T> {

    private static final long serialVersionUID = 1L;
    private final MapTask<? super I, ? extends T> fn;
    private final I item;

    ElementTask(MapTask<? super I, ? extends T> fn, I item) {
        this.fn = fn;
        this.item = item;
    }

    @Override
    public T call(NodeContext ctx) throws Exception {
        return fn.apply(ctx, item);
    }
}
