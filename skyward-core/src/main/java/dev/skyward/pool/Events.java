package dev.skyward.pool;

import dev.skyward.PoolEvent;
import dev.skyward.PoolListener;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Delivers a pool's events to its listeners, one at a time and in order. */
final class Events {

    private static final Logger LOG = LoggerFactory.getLogger(Events.class);

    private final List<PoolListener> listeners;

    Events(List<PoolListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    synchronized void publish(PoolEvent event) {
        for (PoolListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("pool listener {} failed on {}", l, event, e);
            }
        }
    }
}
