package dev.skyward.wire.serial;

import java.util.List;
import java.util.function.Supplier;
import org.apache.fory.context.ReadContext;
import org.apache.fory.context.WriteContext;
import org.apache.fory.memory.MemoryBuffer;
import org.apache.fory.resolver.TypeResolver;
import org.apache.fory.serializer.Serializer;

/**
 * Fory's serializer for {@code byte[]} in every Fory of {@link Serialization}: while a
 * {@link Payload} is encoded on this thread, a large array is not written into Fory's buffer but
 * added to the payload's arrays, and only its index is written; while one is decoded, the index
 * reads back as that array itself. Any other time (and for small arrays) the bytes are inline.
 *
 * <p>Format: a varint {@code length << 1} followed by the bytes, or {@code index << 1 | 1}.
 */
final class ArraysBeside extends Serializer<byte[]> {

    /** Arrays from this size on travel beside Fory's bytes: below it, a copy costs less than a frame. */
    static final int MIN_SIZE = 256 << 10;

    /**
     * The arrays of the payload being encoded or decoded on this thread, or null. A holder that stays
     * in place: setting and removing a thread-local on every call cost more than the field.
     */
    private static final ThreadLocal<Current> CURRENT = ThreadLocal.withInitial(Current::new);

    private static final class Current {
        List<byte[]> arrays;
    }

    ArraysBeside(TypeResolver resolver) {
        super(resolver.getConfig(), byte[].class);
    }

    static <T> T writing(List<byte[]> beside, Supplier<T> serialize) {
        return with(beside, serialize);
    }

    static <T> T reading(List<byte[]> beside, Supplier<T> deserialize) {
        return with(beside, deserialize);
    }

    private static <T> T with(List<byte[]> beside, Supplier<T> work) {
        Current current = CURRENT.get();
        List<byte[]> outer = current.arrays;
        current.arrays = beside;
        try {
            return work.get();
        } finally {
            current.arrays = outer;
        }
    }

    @Override
    public void write(WriteContext context, byte[] value) {
        MemoryBuffer buffer = context.getBuffer();
        List<byte[]> beside = CURRENT.get().arrays;
        if (beside != null && value.length >= MIN_SIZE) {
            buffer.writeVarUInt32(beside.size() << 1 | 1);
            beside.add(value);
        } else {
            buffer.writeVarUInt32(value.length << 1);
            buffer.writeBytes(value);
        }
    }

    @Override
    public byte[] read(ReadContext context) {
        MemoryBuffer buffer = context.getBuffer();
        int header = buffer.readVarUInt32();
        if ((header & 1) != 0) {
            List<byte[]> beside = CURRENT.get().arrays;
            int index = header >>> 1;
            if (beside == null || index >= beside.size()) {
                throw new IllegalStateException("the bytes refer to array " + index + " sent beside them, but "
                        + (beside == null ? "none came with them" : "only " + beside.size() + " did"));
            }
            return beside.get(index);
        }
        int length = header >>> 1;
        buffer.checkReadableBytes(length);
        byte[] value = new byte[length];
        buffer.readBytes(value);
        return value;
    }

    @Override
    public byte[] copy(org.apache.fory.context.CopyContext context, byte[] value) {
        return value.clone();
    }
}
