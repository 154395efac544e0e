package dev.skyward.sky;

import dev.skyward.PoolEvent;
import dev.skyward.PoolListener;
import dev.skyward.spi.Offer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener that keeps every event of a pool, for the test's checks afterwards. */
final class Recorded implements PoolListener {

    final List<PoolEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(PoolEvent event) {
        events.add(event);
    }

    /** The offers the pool tried, in order. */
    List<Offer> tried() {
        return events.stream().filter(PoolEvent.OfferChosen.class::isInstance)
                .map(e -> ((PoolEvent.OfferChosen) e).offer()).toList();
    }

    List<PoolEvent.AttemptFailed> failures() {
        return events.stream().filter(PoolEvent.AttemptFailed.class::isInstance)
                .map(PoolEvent.AttemptFailed.class::cast).toList();
    }

    PoolEvent.Closed closed() {
        return events.stream().filter(PoolEvent.Closed.class::isInstance).map(PoolEvent.Closed.class::cast)
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no Closed event in " + events));
    }

    String poolId() {
        return events.get(0).poolId();
    }
}
