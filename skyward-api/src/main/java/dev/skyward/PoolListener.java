package dev.skyward;

/**
 * Observes a pool's {@link PoolEvent}s.
 *
 * <pre>{@code
 * ComputePool.builder().listener(e -> { if (e instanceof PoolEvent.AttemptFailed f) log.warn(f.reason()); })
 * }</pre>
 */
@FunctionalInterface
public interface PoolListener {

    /**
     * Called on a Skyward thread, in order; must not block for long.
     *
     * @param event what happened
     */
    void onEvent(PoolEvent event);
}
