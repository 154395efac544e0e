package dev.skyward;

import java.time.Duration;

/**
 * A check the pool runs on every node, every {@code interval}; {@code failures} failures in a row
 * (the check returned {@code false} or threw) mark the node lost, and so replaced (see
 * {@link Replacement}). Each check runs as an ordinary task, at most one at a time per node: on a busy
 * node it waits for a free slot, and a check still waiting or running is not counted as a failure
 * (a node that answers nothing at all is lost by the heartbeats anyway).
 *
 * <pre>{@code
 * ComputePool.builder().healthCheck(new HealthCheck(ctx -> gpuIsHealthy(), Duration.ofSeconds(30), 3))
 * }</pre>
 *
 * @param check true while the node is fit for work
 * @param interval time between the end of one check and the start of the next, at least 100 ms
 * @param failures failures in a row that condemn the node, at least 1
 */
public record HealthCheck(Task<Boolean> check, Duration interval, int failures) {

    /**
     * @throws PoolConfigurationException for a missing check, a too short interval or fewer than one failure
     */
    public HealthCheck {
        Require.notNull(check, "health check");
        Require.notNull(interval, "health check interval");
        if (interval.toMillis() < 100) {
            throw new PoolConfigurationException("the health check interval must be at least 100 ms, was " + interval);
        }
        if (failures < 1) {
            throw new PoolConfigurationException("a node must fail its health check at least once before it is "
                    + "replaced; failures was " + failures);
        }
    }
}
