package dev.skyward.pool;

import dev.skyward.PoolState;
import java.util.function.BiConsumer;

/**
 * The pool's state machine. Every transition goes through {@link #moveTo}, which refuses illegal
 * ones ({@link PoolState#canMoveTo}) and tells a listener, so the console and events see each step.
 */
final class PoolLifecycle {

    private final BiConsumer<PoolState, PoolState> onChange;
    private PoolState state = PoolState.NEW;

    PoolLifecycle(BiConsumer<PoolState, PoolState> onChange) {
        this.onChange = onChange;
    }

    synchronized PoolState state() {
        return state;
    }

    /**
     * Moves to {@code next}.
     *
     * @throws IllegalStateException for a transition the lifecycle does not allow
     */
    void moveTo(PoolState next) {
        PoolState from;
        synchronized (this) {
            if (!state.canMoveTo(next)) {
                throw new IllegalStateException("pool cannot move from " + state + " to " + next);
            }
            from = state;
            state = next;
            notifyAll();
        }
        onChange.accept(from, next);
    }

    /** Moves to {@code next} if legal from the current state; returns whether it moved. */
    boolean tryMoveTo(PoolState next) {
        PoolState from;
        synchronized (this) {
            if (!state.canMoveTo(next)) {
                return false;
            }
            from = state;
            state = next;
            notifyAll();
        }
        onChange.accept(from, next);
        return true;
    }

    synchronized void awaitClosed() throws InterruptedException {
        while (state != PoolState.CLOSED) {
            wait();
        }
    }
}
