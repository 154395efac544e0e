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
    private Payloads.Assembly assembly;
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

    /** Adds a chunk of the result; true once the result is complete. */
    boolean add(com.google.protobuf.ByteString data) {
        return assembly != null && assembly.add(data);
    }

    /** The assembled result; the assembly is let go, so the task holds no second reference to it. */
    Payload assembled() {
        Payload p = assembly.payload();
        assembly = null;
        return p;
    }
}
