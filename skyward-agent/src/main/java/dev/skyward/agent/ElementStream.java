package dev.skyward.agent;

import dev.skyward.TaskSerializationException;
import dev.skyward.wire.Protocol;
import dev.skyward.wire.proto.AgentFrame;
import dev.skyward.wire.proto.Element;
import dev.skyward.wire.stream.Payloads;
import java.util.Iterator;
import java.util.concurrent.Semaphore;
import java.util.stream.BaseStream;
import org.apache.fory.ThreadSafeFory;

/**
 * Sends what a streamed task returned, element by element, as it is produced: never more than the
 * client's credit ahead (it starts at the window and grows by each Demand), so a slow consumer stalls
 * the producer here instead of filling memory. A Cancel interrupts the worker, which is waiting for
 * credit or inside the producer's {@code next()}: the producer stops there.
 */
final class ElementStream {

    private final long taskId;
    private final Link link;
    private final Semaphore credit;

    ElementStream(long taskId, int window, Link link) {
        this.taskId = taskId;
        this.link = link;
        this.credit = new Semaphore(window);
    }

    void grant(int count) {
        if (count > 0) {
            credit.release(count);
        }
    }

    /** Streams {@code produced}'s elements; returns how many were sent, the task's final value. */
    Long send(Object produced, ThreadSafeFory fory) throws InterruptedException {
        Iterator<?> elements = iterator(produced);
        long sent = 0;
        try {
            while (true) {
                credit.acquire();
                if (!elements.hasNext()) {
                    return sent;
                }
                Object e = elements.next();
                byte[] bytes = fory.serialize(e);
                if (!Payloads.inline(bytes.length)) {
                    throw new TaskSerializationException("element " + sent + " of the stream is " + bytes.length
                            + " bytes; a streamed element may have at most " + Protocol.INLINE_LIMIT
                            + " bytes: send large values as one task result, or split them into smaller elements");
                }
                link.send(AgentFrame.newBuilder().setElement(Element.newBuilder().setTaskId(taskId)
                        .setValue(Payloads.wrap(bytes)).setIndex(sent)).build());
                sent++;
            }
        } finally {
            if (produced instanceof BaseStream<?, ?> s) {
                s.close();
            } else if (produced instanceof AutoCloseable c) {
                closeQuietly(c);
            }
        }
    }

    private static Iterator<?> iterator(Object produced) {
        if (produced instanceof Iterator<?> i) {
            return i;
        }
        if (produced instanceof BaseStream<?, ?> s) {
            return s.iterator();
        }
        if (produced instanceof Iterable<?> i) {
            return i.iterator();
        }
        throw new IllegalArgumentException("a streamed task must return an Iterator, a Stream or an Iterable, but it "
                + "returned " + (produced == null ? "null" : produced.getClass().getName()));
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // The elements are sent; a failing close changes nothing the client sees.
        }
    }
}
