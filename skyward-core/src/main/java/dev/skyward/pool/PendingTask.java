package dev.skyward.pool;

import dev.skyward.wire.serial.Payload;
import dev.skyward.wire.stream.Payloads;
import java.util.concurrent.CompletableFuture;

/**
 * A task sent to a node and not yet answered: its raw result arrives here (bytes or a failure), by
 * task id. Decoding the bytes into a value is left to whoever waits, off the transport's threads.
 */
final class PendingTask {

    final long id;
    final int rank;
    final ClassLoader loader;
    final CompletableFuture<Payload> raw = new CompletableFuture<>();
    /**
     * Where the result's chunks go; written and filled on the transport's thread, let go (null) from
     * any thread once the task is answered, failed or cancelled, so that a 1 GiB half-received result
     * is not kept by whoever still holds this task.
     */
    private volatile Payloads.Assembly assembly;
    /** Where a streamed task's elements go, on the transport's thread; null for other tasks. */
    volatile java.util.function.Consumer<dev.skyward.wire.proto.Element> elements;

    PendingTask(long id, int rank, ClassLoader loader) {
        this.id = id;
        this.rank = rank;
        this.loader = loader;
    }

    /** The result's chunks follow: they fill {@code a}. */
    void expect(Payloads.Assembly a) {
        assembly = a;
    }

    /** The assembly the result's next chunk lands in, or null when none is expected. */
    Payloads.Assembly landing() {
        return assembly;
    }

    /** Adds a chunk of the result (nothing, for a chunk that landed already); true once the result is complete. */
    boolean add(com.google.protobuf.ByteString data) {
        Payloads.Assembly a = assembly;
        return a != null && a.add(data);
    }

    /**
     * The assembled result; the assembly is let go, so the task holds no second reference to it. Null
     * when the task was let go meanwhile (cancelled on another thread).
     */
    Payload assembled() {
        Payloads.Assembly a = assembly;
        assembly = null;
        return a == null ? null : a.payload();
    }

    /** Lets the assembly go: the task ended otherwise; chunks still on their way are dropped. */
    void release() {
        assembly = null;
    }
}
