package dev.skyward.wire.stream;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.skyward.SkywardException;
import dev.skyward.wire.Protocol;
import dev.skyward.wire.proto.Chunk;
import dev.skyward.wire.serial.Payload;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Splitting a {@link Payload} into {@link Chunk}s and putting it back together, without copying
 * on the way out and with one copy (chunk into its final array) on the way in.
 *
 * <pre>{@code
 * // sender: the frame carries bytes() inline when they fit, and the sizes of the arrays
 * boolean inline = Payloads.inline(p.bytes().length);
 * Payloads.chunk(taskId, p, inline, out::send);
 * // receiver: from the frame's fields, then one add() per chunk
 * Payloads.Assembly a = new Payloads.Assembly(inlineBytes, chunkedSize, arraySizes);
 * if (a.add(chunk.getData())) use(a.payload());
 * }</pre>
 */
public final class Payloads {

    private Payloads() {
    }

    /** Whether Fory's bytes of this size travel inside their frame. */
    public static boolean inline(int size) {
        return size <= Protocol.INLINE_LIMIT;
    }

    /**
     * Emits the payload's chunks, without copying: Fory's bytes first unless they travel inline,
     * then each array beside them, as slices of at most {@link Protocol#CHUNK_SIZE}.
     *
     * @param taskId the task the payload belongs to
     * @param payload the payload; its arrays must not change afterwards
     * @param bytesInline whether Fory's bytes travel in the frame (then they are not chunked)
     * @param sink receives each chunk in order
     */
    public static void chunk(long taskId, Payload payload, boolean bytesInline, Consumer<Chunk> sink) {
        if (!bytesInline) {
            chunk(taskId, payload.bytes(), sink);
        }
        for (byte[] a : payload.arrays()) {
            chunk(taskId, a, sink);
        }
    }

    private static void chunk(long taskId, byte[] bytes, Consumer<Chunk> sink) {
        for (int off = 0; off < bytes.length; off += Protocol.CHUNK_SIZE) {
            int len = Math.min(Protocol.CHUNK_SIZE, bytes.length - off);
            sink.accept(Chunk.newBuilder().setTaskId(taskId)
                    .setData(UnsafeByteOperations.unsafeWrap(bytes, off, len)).build());
        }
    }

    /** The sizes of the payload's arrays, for the frame's {@code array_sizes}. */
    public static List<Long> arraySizes(Payload payload) {
        if (payload.arrays().isEmpty()) {
            return List.of();
        }
        List<Long> sizes = new ArrayList<>(payload.arrays().size());
        for (byte[] a : payload.arrays()) {
            sizes.add((long) a.length);
        }
        return sizes;
    }

    /** Wraps bytes for a frame without copying them. */
    public static ByteString wrap(byte[] bytes) {
        return UnsafeByteOperations.unsafeWrap(bytes);
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /**
     * Collects the chunks of one payload, each straight into the array it ends up in (Fory's bytes,
     * or one of the arrays beside them), so a chunk is garbage as soon as it is added. Not
     * thread-safe: one stream feeds it.
     */
    public static final class Assembly {
        /** Fory's bytes, then the arrays: the parts the chunks fill in turn. */
        private final byte[][] parts;
        private int part;
        private int filled;
        /** Why the payload cannot be completed (more bytes came than announced), once that happened. */
        private IllegalStateException broken;

        /**
         * Allocates the payload's arrays at once, so a payload this JVM cannot hold fails before
         * any chunk is read.
         *
         * @param inline Fory's bytes when they came in the frame; empty when they come as chunks
         * @param chunkedSize the size of Fory's bytes when they come as chunks, else 0
         * @param arraySizes the sizes of the arrays that follow as chunks
         * @throws SkywardException when the payload does not fit in this JVM's heap
         */
        public Assembly(ByteString inline, long chunkedSize, List<Long> arraySizes) {
            boolean chunked = chunkedSize > 0 && inline.isEmpty();
            long total = (chunked ? chunkedSize : inline.size());
            for (long s : arraySizes) {
                total += s;
            }
            parts = new byte[1 + arraySizes.size()][];
            Runtime rt = Runtime.getRuntime();
            if (total > rt.maxMemory()) {
                throw tooLarge(total, null);
            }
            try {
                parts[0] = chunked ? new byte[checked(chunkedSize)] : inline.toByteArray();
                for (int i = 0; i < arraySizes.size(); i++) {
                    parts[i + 1] = new byte[checked(arraySizes.get(i))];
                }
            } catch (OutOfMemoryError e) {
                for (int i = 0; i < parts.length; i++) {
                    parts[i] = null;
                }
                throw tooLarge(total, e);
            }
            part = chunked ? 0 : 1;
            skipEmpty();
        }

        private static int checked(long size) {
            if (size < 0 || size > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("payload part of " + size + " bytes is beyond the 2 GiB limit of one array");
            }
            return (int) size;
        }

        private static SkywardException tooLarge(long total, OutOfMemoryError e) {
            Runtime rt = Runtime.getRuntime();
            long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
            return new SkywardException("a payload of " + mib(total) + " does not fit in this JVM's heap (max heap "
                    + mib(rt.maxMemory()) + ", about " + mib(Math.max(0, free)) + " free): return less per task "
                    + "(split the value, or stream it with pool.stream), or give this JVM more heap with -Xmx", e);
        }

        private void skipEmpty() {
            while (part < parts.length && filled == parts[part].length) {
                part++;
                filled = 0;
            }
        }

        /** Whether every byte has arrived (at once, when nothing follows the frame). */
        public boolean isComplete() {
            return part == parts.length;
        }

        /**
         * Appends one chunk.
         *
         * @param data the chunk's bytes
         * @return true when the payload is complete
         */
        public boolean add(ByteString data) {
            if (broken != null) {
                throw broken;
            }
            int off = 0;
            int size = data.size();
            while (off < size) {
                if (part == parts.length) {
                    throw new IllegalStateException("payload overflow: " + (size - off) + " bytes more than announced");
                }
                byte[] into = parts[part];
                int n = Math.min(size - off, into.length - filled);
                data.copyTo(into, off, filled, n);
                off += n;
                filled += n;
                skipEmpty();
            }
            return isComplete();
        }

        /**
         * Reads one chunk's bytes from a stream straight into the arrays they belong in, with no buffer
         * between: the receiver's way to take a chunk without making it garbage (see {@link ChunkLanding}).
         * Bytes beyond what was announced are read and dropped, and the assembly is broken: the next
         * {@link #add} says so.
         *
         * @param in the stream, positioned at the chunk's bytes
         * @param size how many bytes the chunk holds
         * @return true when the payload is complete
         * @throws IOException when the stream fails or ends early
         */
        public boolean read(InputStream in, int size) throws IOException {
            int left = size;
            while (left > 0) {
                if (part == parts.length) {
                    ChunkLanding.skipFully(in, left);
                    if (broken == null) {
                        broken = new IllegalStateException("payload overflow: " + left + " bytes more than announced");
                    }
                    return false;
                }
                byte[] into = parts[part];
                int n = Math.min(left, into.length - filled);
                if (in.readNBytes(into, filled, n) != n) {
                    throw new EOFException("a chunk ended " + left + " bytes early");
                }
                left -= n;
                filled += n;
                skipEmpty();
            }
            return broken == null && isComplete();
        }

        /** The whole payload, once complete. */
        public Payload payload() {
            List<byte[]> arrays = new ArrayList<>(parts.length - 1);
            for (int i = 1; i < parts.length; i++) {
                arrays.add(parts[i]);
            }
            return Payload.of(parts[0], arrays);
        }
    }
}
