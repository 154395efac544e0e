package dev.skyward.wire.serial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.MapTask;
import java.util.ArrayList;
import java.util.List;
import org.apache.fory.ThreadSafeFory;
import org.junit.jupiter.api.Test;

/**
 * A map's per-element task travels through its hand-written serializer: the function and the element
 * come back as they went, sharing what they shared, and Fory generates no code for it (its background
 * compilation holds a lock every serialization on that Fory waits for).
 */
class MapCallSerializerTest {

    private final ThreadSafeFory fory = Serialization.forLoader(MapCallSerializerTest.class.getClassLoader());

    @Test
    void theFunctionAndItsElementComeBackAndTheFunctionRunsOnTheElement() throws Exception {
        int offset = 40;
        MapTask<Integer, Integer> fn = (ctx, x) -> x + offset;
        MapCall<?, ?> back = roundTrip(new MapCall<>(fn, 2));
        assertThat(back.item()).isEqualTo(2);
        assertThat(back.call(null)).isEqualTo(42);
    }

    @Test
    void aNullElementAndAnElementTheFunctionAlsoCapturesStayWhatTheyWere() throws Exception {
        List<String> shared = new ArrayList<>(List.of("a"));
        MapTask<List<String>, Boolean> sameList = (ctx, l) -> l == shared;
        MapCall<?, ?> back = roundTrip(new MapCall<>(sameList, shared));
        assertThat(back.item()).isEqualTo(List.of("a"));
        assertThat(back.call(null)).as("one object on the node too, as on the client").isEqualTo(true);

        MapTask<Object, String> describe = (ctx, x) -> String.valueOf(x);
        assertThat(roundTrip(new MapCall<>(describe, null)).call(null)).isEqualTo("null");
    }

    @Test
    void aLargeArrayElementTravelsBesideForysBytes() throws Exception {
        byte[] big = PayloadTest.filled(1 << 20, 3);
        MapTask<byte[], Integer> length = (ctx, b) -> b.length;
        Payload p = Payload.encode(fory, new MapCall<>(length, big));
        assertThat(p.arrays()).containsExactly(big);
        assertThat(((MapCall<?, ?>) p.decode(fory)).call(null)).isEqualTo(1 << 20);
    }

    @Test
    void foryUsesTheHandWrittenSerializerNotGeneratedCode() {
        Object serializer = fory.execute(f -> f.getTypeResolver().getSerializer(MapCall.class));
        assertThat(serializer).isInstanceOf(MapCallSerializer.class);
    }

    private MapCall<?, ?> roundTrip(MapCall<?, ?> call) {
        return (MapCall<?, ?>) Payload.encode(fory, call).decode(fory);
    }
}
