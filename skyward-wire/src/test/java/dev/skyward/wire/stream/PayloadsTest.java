package dev.skyward.wire.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.skyward.SkywardException;
import dev.skyward.wire.Protocol;
import dev.skyward.wire.proto.Chunk;
import dev.skyward.wire.serial.Payload;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PayloadsTest {

    @Test
    void chunksOfBytesAndArraysReassembleIntoArraysOfTheirExactSizes() {
        byte[] bytes = filled(Protocol.CHUNK_SIZE * 2 + 5, 1);
        byte[] a = filled(Protocol.CHUNK_SIZE + 1, 2);
        byte[] b = filled(17, 3);
        Payload sent = Payload.of(bytes, List.of(a, b));
        List<Chunk> chunks = new ArrayList<>();
        Payloads.chunk(9, sent, false, chunks::add);
        assertThat(chunks).as("no chunk spans two arrays").hasSize(3 + 2 + 1)
                .allSatisfy(c -> assertThat(c.getData().size()).isLessThanOrEqualTo(Protocol.CHUNK_SIZE));

        Payloads.Assembly in = new Payloads.Assembly(ByteString.EMPTY, bytes.length, Payloads.arraySizes(sent));
        boolean complete = false;
        for (Chunk c : chunks) {
            assertThat(complete).as("complete only after the last chunk").isFalse();
            complete = in.add(c.getData());
        }
        assertThat(complete).isTrue();
        Payload got = in.payload();
        assertThat(got.bytes()).isEqualTo(bytes);
        assertThat(got.arrays()).hasSize(2);
        assertThat(got.arrays().get(0)).isEqualTo(a);
        assertThat(got.arrays().get(1)).isEqualTo(b);
    }

    @Test
    void inlineBytesWithoutArraysAreCompleteAtOnce() {
        Payloads.Assembly in = new Payloads.Assembly(ByteString.copyFrom(new byte[] {1, 2}), 0, List.of());
        assertThat(in.isComplete()).isTrue();
        assertThat(in.payload().bytes()).containsExactly(1, 2);
        assertThat(in.payload().arrays()).isEmpty();
    }

    @Test
    void aPayloadLargerThanTheHeapIsRefusedClearlyBeforeAnyChunkIsRead() {
        long max = Runtime.getRuntime().maxMemory();
        List<Long> sizes = new ArrayList<>();
        for (long left = max + (1L << 30); left > 0; left -= Integer.MAX_VALUE - 64) {
            sizes.add(Math.min(left, Integer.MAX_VALUE - 64));
        }
        assertThatThrownBy(() -> new Payloads.Assembly(ByteString.EMPTY, 0, sizes))
                .isInstanceOf(SkywardException.class).hasMessageContaining("does not fit in this JVM's heap")
                .hasMessageContaining("-Xmx");
    }

    static byte[] filled(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }
}
