package dev.skyward.wire.serial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.MapTask;
import java.util.ArrayList;
import java.util.List;
import org.apache.fory.ThreadSafeFory;
import org.junit.jupiter.api.Test;

/**
 * A map's task (a run of elements) travels through its hand-written serializer: the function and the elements
 * come back as they went, sharing what they shared, and Fory generates no code for it (its background
 * compilation holds a lock every serialization on that Fory waits for).
 */
class MapCallSerializerTest {

    private final ThreadSafeFory fory = Serialization.forLoader(MapCallSerializerTest.class.getClassLoader());

    @Test
    void theFunctionAndItsElementComeBackAndTheFunctionRunsOnTheElement() throws Exception {
        int offset = 40;
        MapTask<Integer, Integer> fn = (ctx, x) -> x + offset;
        MapCall<?> back = roundTrip(new MapCall<>(fn, List.of(2, 3)));
        assertThat(back.items()).containsExactly(2, 3);
        assertThat(back.call(null)).containsExactly(42, 43);
    }

    @Test
    void aNullElementAndAnElementTheFunctionAlsoCapturesStayWhatTheyWere() throws Exception {
        List<String> shared = new ArrayList<>(List.of("a"));
        MapTask<List<String>, Boolean> sameList = (ctx, l) -> l == shared;
        MapCall<?> back = roundTrip(new MapCall<>(sameList, List.of(shared, shared)));
        assertThat(back.items()).containsExactly(List.of("a"), List.of("a"));
        assertThat(back.items().get(0)).as("two elements that were one object still are").isSameAs(back.items().get(1));
        assertThat(back.call(null)).as("one object on the node too, as on the client").containsExactly(true, true);

        MapTask<Object, String> describe = (ctx, x) -> String.valueOf(x);
        assertThat(roundTrip(new MapCall<>(describe, java.util.Arrays.asList(1, null))).call(null))
                .containsExactly("1", "null");
        assertThat(roundTrip(new MapCall<>(describe, List.of())).call(null)).isEmpty();
    }

    @Test
    void aLargeArrayElementTravelsBesideForysBytes() throws Exception {
        byte[] big = PayloadTest.filled(1 << 20, 3);
        MapTask<byte[], Integer> length = (ctx, b) -> b.length;
        Payload p = Payload.encode(fory, new MapCall<>(length, List.of(big, big)));
        assertThat(p.arrays()).as("one array, referenced twice").containsExactly(big);
        assertThat(((MapCall<?>) p.decode(fory)).call(null)).containsExactly(1 << 20, 1 << 20);
    }

    @Test
    void foryUsesTheHandWrittenSerializerNotGeneratedCode() {
        Object serializer = fory.execute(f -> f.getTypeResolver().getSerializer(MapCall.class));
        assertThat(serializer).isInstanceOf(MapCallSerializer.class);
    }

    private MapCall<?> roundTrip(MapCall<?> call) {
        return (MapCall<?>) Payload.encode(fory, call).decode(fory);
    }
}
