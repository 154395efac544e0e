package dev.skyward.wire.stream;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.skyward.wire.Protocol;
import dev.skyward.wire.proto.Chunk;
import java.util.function.Consumer;

/** Splitting large payloads into {@link Chunk}s and putting them back together. */
public final class Payloads {

    private Payloads() {
    }

    /** Whether a payload of this size travels inside its frame. */
    public static boolean inline(int size) {
        return size <= Protocol.INLINE_LIMIT;
    }

    /**
     * Emits the payload as chunks of {@link Protocol#CHUNK_SIZE}, without copying it.
     *
     * @param taskId the task the payload belongs to
     * @param bytes the payload; must not change afterwards
     * @param sink receives each chunk in order
     */
    public static void chunk(long taskId, byte[] bytes, Consumer<Chunk> sink) {
        for (int off = 0; off < bytes.length; off += Protocol.CHUNK_SIZE) {
            int len = Math.min(Protocol.CHUNK_SIZE, bytes.length - off);
            sink.accept(Chunk.newBuilder().setTaskId(taskId)
                    .setData(UnsafeByteOperations.unsafeWrap(bytes, off, len)).build());
        }
    }

    /** Wraps bytes for a frame without copying them. */
    public static ByteString wrap(byte[] bytes) {
        return UnsafeByteOperations.unsafeWrap(bytes);
    }

    /** Collects the chunks of one payload of known size. Not thread-safe: one stream feeds it. */
    public static final class Assembly {
        private final byte[] bytes;
        private int filled;

        /**
         * @param size the payload's total size
         */
        public Assembly(long size) {
            if (size < 0 || size > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("payload of " + size + " bytes is beyond the 2 GiB limit of one task");
            }
            this.bytes = new byte[(int) size];
        }

        /**
         * Appends one chunk.
         *
         * @param data the chunk's bytes
         * @return true when the payload is complete
         */
        public boolean add(ByteString data) {
            if (filled + data.size() > bytes.length) {
                throw new IllegalStateException("payload overflow: expected " + bytes.length + " bytes, got more");
            }
            data.copyTo(bytes, filled);
            filled += data.size();
            return filled == bytes.length;
        }

        /** The whole payload, once complete. */
        public byte[] bytes() {
            return bytes;
        }
    }
}
