package dev.skyward.pool;

import dev.skyward.NodeLostException;
import dev.skyward.SkywardException;
import dev.skyward.wire.proto.Element;
import dev.skyward.wire.serial.Payload;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/**
 * The client's side of a streamed task: elements arrive from the node in order and wait here, at
 * most a window of them, since the node sends only as many as it has been granted. Taking elements
 * grants more, half a window at a time; closing cancels the task, which interrupts the producer.
 */
final class StreamedResult<T> implements Iterator<T>, AutoCloseable {

    private static final Object END = new Object();

    private final NodeConnection node;
    private final PendingTask task;
    private final int grantEvery;
    private final Function<Payload, T> decode;
    private final Function<Throwable, RuntimeException> failure;
    private final LinkedBlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
    private Object next;
    private boolean ended;
    private int taken;
    private long received;

    StreamedResult(NodeConnection node, PendingTask task, int window, Function<Payload, T> decode,
            Function<Throwable, RuntimeException> failure) {
        this.node = node;
        this.task = task;
        this.grantEvery = Math.max(1, window / 2);
        this.decode = decode;
        this.failure = failure;
        task.elements = arrived::add;
        // The result frame follows the last element on the same stream, so END is queued after it.
        task.raw.whenComplete((v, e) -> arrived.add(END));
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (ended) {
            return false;
        }
        Object o;
        try {
            o = arrived.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new SkywardException("interrupted while waiting for the next element of task " + task.id
                    + "; the task was cancelled", e);
        }
        if (o == END) {
            ended = true;
            if (task.raw.isCompletedExceptionally()) {
                throw failure.apply(task.raw.handle((v, e) -> e).join());
            }
            if (task.raw.isDone() && !(decode.apply(task.raw.join()) instanceof Long sent && sent == received)) {
                throw gap("the task ended after sending more elements than arrived (" + received + ")");
            }
            return false;
        }
        Element e = (Element) o;
        if (e.getIndex() != received) {
            close();
            throw gap("element " + received + " did not arrive (the next one was " + e.getIndex() + ")");
        }
        received++;
        next = e;
        return true;
    }

    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the task has sent every element");
        }
        Payload bytes = Payload.of(((Element) next).getValue().toByteArray());
        next = null;
        if (++taken >= grantEvery) {
            node.demand(task.id, taken);
            taken = 0;
        }
        return decode.apply(bytes);
    }

    private NodeLostException gap(String what) {
        return new NodeLostException(task.rank, "the stream of task " + task.id + " from node " + task.rank
                + " lost elements, most likely with a broken connection: " + what, null);
    }

    /** Stops the stream: the task is cancelled and its producer interrupted on the node. Idempotent. */
    @Override
    public void close() {
        if (!task.raw.isDone()) {
            node.cancel(task.id);
        }
        ended = true;
        next = null;
        arrived.add(END);
    }
}
