package dev.skyward.parallel;

import dev.skyward.ComputePool;
import dev.skyward.MapTask;
import dev.skyward.PoolConfigurationException;
import dev.skyward.SkywardException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The results of a map, in the order they finish, with backpressure: an element is taken from the
 * input only when fewer than {@code window} elements are on the nodes or finished and not yet
 * consumed, so neither this JVM nor the nodes ever hold more than {@code window} of them, however
 * long (or endless) the input is.
 *
 * <pre>{@code
 * try (Stream<Double> losses = CompletionOrder.stream(pool, configs, (ctx, cfg) -> train(cfg), 16)) {
 *     losses.forEach(System.out::println);          // as each one finishes
 * }
 * }</pre>
 *
 * <p>The input is read on the consuming thread. A failed element ends the stream: the next call
 * throws its {@link dev.skyward.TaskFailedException}. Closing the stream (or a failure) cancels the
 * elements still on the nodes.
 *
 * @param <I> element type
 * @param <T> result type
 */
public final class CompletionOrder<I, T> implements Iterator<T>, AutoCloseable {

    private final ComputePool pool;
    private final Iterator<? extends I> source;
    private final MapTask<? super I, ? extends T> fn;
    private final int window;
    private final LinkedBlockingQueue<CompletableFuture<T>> finished = new LinkedBlockingQueue<>();
    private final Set<CompletableFuture<T>> onNodes = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Taken from the input and not yet handed to the consumer. */
    private int outstanding;
    private int peak;
    private boolean closed;

    private CompletionOrder(ComputePool pool, Iterator<? extends I> source, MapTask<? super I, ? extends T> fn,
            int window) {
        this.pool = pool;
        this.source = source;
        this.fn = fn;
        this.window = window;
    }

    /**
     * The results of {@code fn} over {@code items}, as they finish.
     *
     * @param pool where to run
     * @param items read lazily, one element per free slot
     * @param fn applied to each element on a node
     * @param window at most this many elements taken and not yet consumed, at least 1
     * @param <I> element type
     * @param <T> result type
     * @return an iterator; close it to cancel what is still running
     */
    public static <I, T> CompletionOrder<I, T> iterator(ComputePool pool, Iterator<? extends I> items,
            MapTask<? super I, ? extends T> fn, int window) {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(fn, "fn");
        if (window < 1) {
            throw new PoolConfigurationException("the window (elements in flight) must be at least 1, was " + window);
        }
        return new CompletionOrder<>(pool, items, fn, window);
    }

    /**
     * As {@link #iterator}, as a sequential stream; closing it cancels what is still running.
     *
     * @param pool where to run
     * @param items read lazily
     * @param fn applied to each element on a node
     * @param window at most this many elements taken and not yet consumed
     * @param <I> element type
     * @param <T> result type
     * @return the results in completion order
     */
    public static <I, T> Stream<T> stream(ComputePool pool, Iterator<? extends I> items,
            MapTask<? super I, ? extends T> fn, int window) {
        CompletionOrder<I, T> it = iterator(pool, items, fn, window);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED), false)
                .onClose(it::close);
    }

    @Override
    public boolean hasNext() {
        fill();
        synchronized (this) {
            return !closed && outstanding > 0;
        }
    }

    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException("every result has been consumed");
        }
        CompletableFuture<T> f;
        try {
            f = finished.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new SkywardException("interrupted while waiting for the next result; the elements still on the "
                    + "nodes were cancelled", e);
        }
        synchronized (this) {
            outstanding--;
        }
        try {
            return f.join();
        } catch (CompletionException e) {
            close();
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Takes elements from the input while there is room; each is serialized here, on the consumer's thread. */
    private void fill() {
        while (true) {
            I item;
            synchronized (this) {
                if (closed || outstanding >= window) {
                    return;
                }
            }
            if (!source.hasNext()) {
                return;
            }
            item = source.next();
            CompletableFuture<T> f = pool.submit(new ElementTask<I, T>(fn, item));
            synchronized (this) {
                outstanding++;
                peak = Math.max(peak, outstanding);
                onNodes.add(f);
            }
            f.whenComplete((v, e) -> {
                synchronized (this) {
                    onNodes.remove(f);
                }
                finished.add(f);
            });
        }
    }

    /** The most elements ever taken from the input and not yet consumed: never above the window. */
    public synchronized int peakInFlight() {
        return peak;
    }

    /** Stops taking input and cancels (interrupts) the elements still on the nodes. Idempotent. */
    @Override
    public void close() {
        CompletableFuture<?>[] running;
        synchronized (this) {
            closed = true;
            running = onNodes.toArray(new CompletableFuture<?>[0]);
        }
        for (CompletableFuture<?> f : running) {
            f.cancel(true);
        }
    }
}
