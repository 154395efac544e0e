package dev.skyward.wire.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.skyward.MapTask;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A run of map elements applies its function to each element in order and stops once cancelled. */
class MapCallTest {

    @Test
    void eachElementInOrderAndItsResultInItsPlace() throws Exception {
        List<String> seen = new ArrayList<>();
        MapTask<String, Integer> length = (ctx, s) -> {
            seen.add(s);
            return s.length();
        };
        Object[] results = new MapCall<>(length, List.of("a", "bbb", "cc")).call(null);
        assertThat(results).containsExactly(1, 3, 2);
        assertThat(seen).containsExactly("a", "bbb", "cc");
    }

    @Test
    void aCancelledRunStopsBeforeTheNextElement() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        List<Integer> ran = new ArrayList<>();
        MapTask<Integer, Integer> cancelAtTwo = (ctx, x) -> {
            ran.add(x);
            if (x == 2) {
                Thread.currentThread().interrupt(); // what the agent does when the task is cancelled
            }
            return x;
        };
        thrown.set(catchThrowable(() -> new MapCall<>(cancelAtTwo, List.of(1, 2, 3, 4)).call(null)));
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class).hasMessageContaining("after 2 of 4");
        assertThat(ran).containsExactly(1, 2);
    }
}
