package dev.skyward.wire.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.fory.ThreadSafeFory;
import org.junit.jupiter.api.Test;

/**
 * Tasks are lambdas, written by their site and resolved once per serializer: every form of
 * serializable lambda comes back working, with what it captured, where it sits in a graph.
 */
class LambdaSitesTest {

    interface Fn<A, B> extends Function<A, B>, Serializable {
    }

    interface Source<T> extends Supplier<T>, Serializable {
    }

    record Job(String name, Fn<Integer, Integer> step) implements Serializable {
    }

    private final ThreadSafeFory fory = Serialization.forLoader(LambdaSitesTest.class.getClassLoader());

    @SuppressWarnings("unchecked")
    private <T> T roundTrip(T value) {
        return (T) Payload.encode(fory, value).decode(fory);
    }

    @Test
    void aLambdaComesBackWithWhatItCapturedAndComputesTheSame() {
        int offset = 40;
        String label = "n=";
        List<Integer> seen = new ArrayList<>(List.of(1, 2));
        Fn<Integer, String> f = x -> label + (x + offset + seen.size());

        Fn<Integer, String> back = roundTrip(f);

        assertThat(back.apply(0)).isEqualTo("n=42");
        assertThat(back).isNotSameAs(f);
        assertThat(new String(Payload.encode(fory, f).bytes(), java.nio.charset.StandardCharsets.ISO_8859_1))
                .as("written as one site key (the names joined by newlines)")
                .contains("\napply\n(Ljava/lang/Object;)Ljava/lang/Object;\n");
    }

    @Test
    void nonCapturingLambdasMethodReferencesAndConstructorsAllComeBack() {
        Fn<Integer, Integer> plain = x -> x * 2;
        Fn<String, Integer> staticRef = Integer::parseInt;
        Fn<String, String> boundRef = "abc"::concat;
        Source<ArrayList<String>> constructor = ArrayList::new;

        assertThat(roundTrip(plain).apply(21)).isEqualTo(42);
        assertThat(roundTrip(staticRef).apply("7")).isEqualTo(7);
        assertThat(roundTrip(boundRef).apply("def")).isEqualTo("abcdef");
        assertThat(roundTrip(constructor).get()).isEmpty();
    }

    @Test
    void theSameLambdaTwiceInAGraphIsOneObjectAgainAndLambdasNestInsideLambdasAndRecords() {
        Fn<Integer, Integer> inc = x -> x + 1;
        Fn<Integer, Integer> twice = x -> inc.apply(inc.apply(x));
        List<Object> graph = List.of(inc, inc, new Job("j", twice));

        List<Object> back = roundTrip(graph);

        assertThat(back.get(0)).isSameAs(back.get(1));
        @SuppressWarnings("unchecked")
        Fn<Integer, Integer> first = (Fn<Integer, Integer>) back.get(0);
        assertThat(first.apply(1)).isEqualTo(2);
        assertThat(((Job) back.get(2)).step().apply(1)).isEqualTo(3);
    }

    @Test
    void aSiteReadManyTimesKeepsGivingFreshLambdasWithTheirOwnCaptures() {
        for (int i = 0; i < 50; i++) {
            int captured = i;
            Fn<Integer, Integer> f = x -> x + captured;
            assertThat(roundTrip(f).apply(1000)).isEqualTo(1000 + i);
        }
    }

    @Test
    void aLambdaWhoseClassTheReaderCannotLoadFailsSayingWhichClass() {
        Fn<Integer, Integer> f = x -> x + 1;
        Payload p = Payload.encode(fory, f);
        ClassLoader withoutTheTests = new ClassLoader(ClassLoader.getPlatformClassLoader()) {
        };
        ThreadSafeFory elsewhere = Serialization.forLoader(withoutTheTests);

        assertThatThrownBy(() -> p.decode(elsewhere))
                .hasStackTraceContaining("cannot load " + LambdaSitesTest.class.getName());
    }
}
