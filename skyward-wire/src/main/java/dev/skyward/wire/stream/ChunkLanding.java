package dev.skyward.wire.stream;

import com.google.protobuf.MessageLite;
import dev.skyward.wire.proto.Chunk;
import io.grpc.MethodDescriptor;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * gRPC's marshaller for a session's frames ({@code AgentFrame} or {@code ClientFrame}) that reads a
 * {@link Chunk}'s bytes from the transport's buffers straight into the {@link Payloads.Assembly} of
 * its task. Protobuf's own parser would first copy each 1 MiB chunk into a {@code ByteString} of its
 * own, which is garbage right after the assembly copied it again: for a 1 GiB result, 1 GiB of
 * garbage the heap must hold until the next GC. Every other frame, and a chunk laid out otherwise
 * than the sender writes it, is parsed by protobuf as before.
 *
 * <p>The frame a landed chunk parses to carries the task id and no data: the bytes are already in
 * the assembly, and the frame's handler only asks whether it is complete ({@code add} of nothing).
 * A chunk for a task with no assembly (unknown, cancelled, failed) is read past and dropped.
 *
 * <p>gRPC parses a call's frames one at a time, each just before the listener gets it, on the
 * call's serializing executor: an assembly the listener registered for a result frame is the one
 * the chunks after it land in, without any locking.
 *
 * @param <T> the frame type; its chunk is field 2, as in both of the protocol's frames
 */
public final class ChunkLanding<T extends MessageLite> implements MethodDescriptor.Marshaller<T> {

    /** Field 2 (the frame's chunk, or the chunk's data), length-delimited. */
    private static final int FIELD_2_BYTES = 2 << 3 | 2;
    /** Field 1 (the chunk's task id), varint. */
    private static final int FIELD_1_VARINT = 1 << 3;

    private final MethodDescriptor.Marshaller<T> plain;
    private final Function<Chunk, T> frame;
    private final LongFunction<Payloads.Assembly> into;

    /**
     * @param plain protobuf's marshaller for the frame type, for every other frame and for sending
     * @param frame wraps a chunk (task id only) into a frame
     * @param into the assembly a task's chunks go to, or null to drop them; called on gRPC's thread
     */
    public ChunkLanding(MethodDescriptor.Marshaller<T> plain, Function<Chunk, T> frame,
            LongFunction<Payloads.Assembly> into) {
        this.plain = plain;
        this.frame = frame;
        this.into = into;
    }

    @Override
    public InputStream stream(T value) {
        return plain.stream(value);
    }

    @Override
    public T parse(InputStream in) {
        // gRPC's received message stream knows its length and can go back to its start; any other
        // (an in-process transport's) goes to protobuf.
        if (!in.markSupported()) {
            return plain.parse(in);
        }
        try {
            int total = in.available();
            in.mark(total);
            Header h = new Header(in);
            // Exactly: chunk tag, chunk length, [task id tag, task id], data tag, data length, data to the end.
            long kind = h.varint();
            long length = h.varint();
            if (kind == FIELD_2_BYTES && length == total - h.count) {
                long taskId = 0;
                long tag = h.varint();
                if (tag == FIELD_1_VARINT) {
                    taskId = h.varint();
                    tag = h.varint();
                }
                if (tag == FIELD_2_BYTES) {
                    long size = h.varint();
                    if (size > 0 && size == total - h.count) {
                        Payloads.Assembly a = into.apply(taskId);
                        if (a == null) {
                            skipFully(in, size);
                        } else {
                            a.read(in, (int) size);
                        }
                        return frame.apply(Chunk.newBuilder().setTaskId(taskId).build());
                    }
                }
            }
            in.reset();
            return plain.parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read a frame", e);
        }
    }

    static void skipFully(InputStream in, long n) throws IOException {
        long left = n;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("a chunk ended " + left + " bytes early");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    /** Reads a frame's first varints, counting the bytes. */
    private static final class Header {
        private final InputStream in;
        int count;

        Header(InputStream in) {
            this.in = in;
        }

        /** The next varint, or -1 when the stream ends or it is longer than 64 bits. */
        long varint() throws IOException {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = in.read();
                if (b < 0) {
                    return -1;
                }
                count++;
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            return -1;
        }
    }
}
