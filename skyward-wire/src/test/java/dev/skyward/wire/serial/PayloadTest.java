package dev.skyward.wire.serial;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.fory.ThreadSafeFory;
import org.junit.jupiter.api.Test;

class PayloadTest {

    record Weights(String name, byte[] data, byte[] small, List<byte[]> more) implements Serializable {
    }

    static final class Holder implements Serializable {
        byte[] blob;
        Map<String, byte[]> named;
    }

    private final ThreadSafeFory fory = Serialization.forLoader(PayloadTest.class.getClassLoader());

    @Test
    void largeArraysTravelBesideForysBytesAsThemselvesAndComeBackAsThoseArrays() {
        byte[] big = filled(1 << 20, 7);
        byte[] other = filled(ArraysBeside.MIN_SIZE, 9);
        byte[] small = filled(100, 3);
        Payload p = Payload.encode(fory, new Weights("w", big, small, List.of(other)));

        assertThat(p.arrays()).as("the value's own large arrays, not copies").hasSize(2);
        assertThat(p.arrays().get(0)).isSameAs(big);
        assertThat(p.arrays().get(1)).isSameAs(other);
        assertThat(p.bytes().length).as("Fory's bytes hold the rest only").isLessThan(1_000);

        Weights back = (Weights) Payload.of(p.bytes(), p.arrays()).decode(fory);
        assertThat(back.name()).isEqualTo("w");
        assertThat(back.data()).isSameAs(big);
        assertThat(back.small()).isEqualTo(small);
        assertThat(back.more().get(0)).isSameAs(other);
    }

    @Test
    void arraysInFieldsOfPlainClassesAndInMapsAndATopLevelArrayGoBesideToo() {
        Holder h = new Holder();
        h.blob = filled(1 << 19, 1);
        h.named = Map.of("a", filled(1 << 19, 2));
        Payload p = Payload.encode(fory, h);
        assertThat(p.arrays()).hasSize(2);
        Holder back = (Holder) p.decode(fory);
        assertThat(back.blob).isSameAs(h.blob);
        assertThat(back.named.get("a")).isEqualTo(h.named.get("a"));

        byte[] top = filled(1 << 20, 5);
        Payload t = Payload.encode(fory, top);
        assertThat(t.arrays()).containsExactly(top);
        assertThat((byte[]) t.decode(fory)).isSameAs(top);
    }

    @Test
    void plainSerializationKeepsEveryArrayInsideTheBytes() {
        byte[] big = filled(1 << 20, 7);
        byte[] bytes = fory.serialize(big);
        assertThat(bytes.length).isGreaterThan(1 << 20);
        assertThat((byte[]) Payload.of(bytes).decode(fory)).isEqualTo(big);
    }

    static byte[] filled(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }
}
