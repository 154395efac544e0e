package dev.skyward.wire.serial;

import dev.skyward.MapTask;
import org.apache.fory.context.ReadContext;
import org.apache.fory.context.WriteContext;
import org.apache.fory.resolver.TypeResolver;
import org.apache.fory.serializer.Serializer;

/**
 * Fory's serializer for {@link MapCall} in every Fory of {@link Serialization}: the function, the
 * number of elements, then each element, each as a reference (a function shared with an element, or
 * elements that are one object, stay one object).
 *
 * <p>Why not Fory's own: for a class without a serializer Fory generates one in the background, and
 * while it compiles it holds a lock every serialization on that Fory waits for. {@code map} sends a
 * {@code MapCall} per run of elements, so the first {@code map} of a session waited ~330 ms on the client and
 * as long again on each node (profiled in PROFILING.md) for a class with two fields.
 */
final class MapCallSerializer extends Serializer<MapCall> {

    @SuppressWarnings({"rawtypes", "unchecked"})
    MapCallSerializer(TypeResolver resolver) {
        // No reference to the MapCall itself is written: each is made for one run of elements and sent once.
        super(resolver.getConfig(), MapCall.class, false, true);
    }

    @Override
    public void write(WriteContext context, MapCall value) {
        context.writeRef(value.fn());
        Object[] items = value.itemArray();
        context.writeVarUInt32(items.length);
        for (Object item : items) {
            context.writeRef(item);
        }
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public MapCall read(ReadContext context) {
        MapTask fn = (MapTask) context.readRef();
        Object[] items = new Object[context.readVarUInt32()];
        for (int i = 0; i < items.length; i++) {
            items[i] = context.readRef();
        }
        return new MapCall(fn, items);
    }
}
