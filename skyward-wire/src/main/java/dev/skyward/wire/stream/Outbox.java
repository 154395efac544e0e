package dev.skyward.wire.stream;

import io.grpc.stub.CallStreamObserver;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sending side of one gRPC stream, shared by many threads: messages queue here and go out only
 * while the transport says it is ready, so a 256 MiB payload moves as chunks at the pace the
 * receiver reads them instead of piling up inside gRPC.
 *
 * <p>Any thread may {@link #send}; one thread at a time drains (the usual work-in-progress counter),
 * which also keeps {@code onNext} calls serialized as gRPC requires. Wire {@link #drain()} to the
 * stream's on-ready handler.
 *
 * @param <T> message type
 */
public final class Outbox<T> {

    private final Queue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger wip = new AtomicInteger();
    private volatile CallStreamObserver<T> observer;
    private volatile boolean completing;
    private volatile boolean done;

    /** An outbox whose stream is attached later (client streams exist only after the call starts). */
    public Outbox() {
    }

    /**
     * Attaches the stream and sends what queued meanwhile.
     *
     * @param observer the stream's sending side
     */
    public void attach(CallStreamObserver<T> observer) {
        this.observer = observer;
        drain();
    }

    /**
     * Queues a message; it is sent as soon as the stream is ready. Messages sent after the stream
     * ended are dropped.
     *
     * @param message the message
     */
    public void send(T message) {
        if (done) {
            return;
        }
        queue.add(message);
        drain();
    }

    /**
     * Queues a message without sending; call {@link #drain()} afterwards, outside any lock of yours,
     * since draining calls into gRPC.
     *
     * @param message the message
     */
    public void enqueue(T message) {
        if (!done) {
            queue.add(message);
        }
    }

    /** Whether the stream has ended (completed or failed). */
    public boolean isDone() {
        return done;
    }

    /** Sends what is queued, then completes the stream. */
    public void complete() {
        completing = true;
        drain();
    }

    /** Marks the stream ended from outside (the peer went away); queued messages are dropped. */
    public void abandon() {
        done = true;
        queue.clear();
    }

    /** Sends queued messages while the transport is ready. Call from the on-ready handler too. */
    public void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        while (true) {
            CallStreamObserver<T> out = observer;
            if (out != null && !done) {
                try {
                    while (out.isReady()) {
                        T m = queue.poll();
                        if (m == null) {
                            break;
                        }
                        out.onNext(m);
                    }
                    if (completing && queue.isEmpty()) {
                        done = true;
                        out.onCompleted();
                    }
                } catch (RuntimeException streamGone) {
                    // The call was cancelled or closed under us; whoever owns it learns that from its observer.
                    abandon();
                }
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }
}
