package dev.skyward.wire.serial;

import dev.skyward.SkywardException;
import java.util.ArrayList;
import java.util.List;
import org.apache.fory.ThreadSafeFory;

/**
 * A value serialized for the wire: Fory's bytes, and beside them the value's large {@code byte[]}s
 * as they are. A 1 GiB array is thus never copied into Fory's buffer when sent (its chunks wrap the
 * array itself) and never copied out of one when received (the receiver fills an array of the exact
 * size from the chunks, and that array is the one the value gets).
 *
 * <pre>{@code
 * Payload p = Payload.encode(fory, task);     // p.bytes(): Fory's bytes; p.arrays(): the big byte[]s
 * Object back = p.decode(fory);               // the same arrays, not copies, inside the value
 * }</pre>
 *
 * <p>Only a payload made with {@link #encode} has arrays beside it; {@code fory.serialize} (elements,
 * snapshots, errors) keeps every array inside the bytes, and such bytes decode with {@link #of}.
 */
public final class Payload {

    private static final List<byte[]> NONE = List.of();

    private final byte[] bytes;
    private final List<byte[]> arrays;

    private Payload(byte[] bytes, List<byte[]> arrays) {
        this.bytes = bytes;
        this.arrays = arrays;
    }

    /**
     * A payload with nothing beside its bytes.
     *
     * @param bytes Fory's bytes
     * @return the payload
     */
    public static Payload of(byte[] bytes) {
        return new Payload(bytes, NONE);
    }

    /**
     * A received payload.
     *
     * @param bytes Fory's bytes
     * @param arrays the arrays that travelled beside them, in order
     * @return the payload
     */
    public static Payload of(byte[] bytes, List<byte[]> arrays) {
        return new Payload(bytes, arrays.isEmpty() ? NONE : List.copyOf(arrays));
    }

    /**
     * Serializes a value, leaving its {@code byte[]}s of at least {@link ArraysBeside#MIN_SIZE} bytes
     * beside Fory's bytes.
     *
     * @param fory a Fory from {@link Serialization#forLoader}
     * @param value the value
     * @return the payload; its arrays are the value's own, so the value must not change until sent
     */
    public static Payload encode(ThreadSafeFory fory, Object value) {
        List<byte[]> beside = new ArrayList<>(0);
        byte[] bytes = ArraysBeside.writing(beside, () -> fory.serialize(value));
        return new Payload(bytes, beside.isEmpty() ? NONE : beside);
    }

    /**
     * Deserializes the value; its large arrays are this payload's arrays.
     *
     * @param fory a Fory from {@link Serialization#forLoader}
     * @return the value
     * @throws SkywardException when the value does not fit in this JVM's heap
     */
    public Object decode(ThreadSafeFory fory) {
        try {
            return ArraysBeside.reading(arrays, () -> fory.deserialize(bytes));
        } catch (OutOfMemoryError e) {
            throw new SkywardException("a value of " + mib(size()) + " does not fit in this JVM's heap "
                    + "(max heap " + mib(Runtime.getRuntime().maxMemory()) + "): return less per task "
                    + "(split it, or stream it with pool.stream), or give this JVM more heap with -Xmx", e);
        }
    }

    /** Fory's bytes. */
    public byte[] bytes() {
        return bytes;
    }

    /** The arrays beside the bytes, in the order the bytes refer to them. */
    public List<byte[]> arrays() {
        return arrays;
    }

    static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /** Bytes in all: Fory's and the arrays'. */
    public long size() {
        long s = bytes.length;
        for (byte[] a : arrays) {
            s += a.length;
        }
        return s;
    }
}
