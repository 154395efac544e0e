package dev.skyward;

import dev.skyward.spi.Offer;
import java.time.Duration;
import java.time.Instant;

/**
 * Something that happened to a pool, published to {@link PoolListener}s and shown on the console.
 */
public sealed interface PoolEvent {

    /** The pool's id. */
    String poolId();

    /**
     * The pool moved between lifecycle states.
     *
     * @param poolId the pool
     * @param from previous state
     * @param to new state
     */
    record StateChanged(String poolId, PoolState from, PoolState to) implements PoolEvent {
    }

    /**
     * The pool is about to try an offer.
     *
     * @param poolId the pool
     * @param offer the offer
     * @param nodes how many instances of it
     */
    record OfferChosen(String poolId, Offer offer, int nodes) implements PoolEvent {
    }

    /**
     * Trying an offer failed; the pool moves on to the next one.
     *
     * @param poolId the pool
     * @param offer the offer that failed
     * @param reason why, e.g. {@code capacity: InsufficientInstanceCapacity ...}
     */
    record AttemptFailed(String poolId, Offer offer, String reason) implements PoolEvent {
    }

    /**
     * A phase of starting one node, for progress display.
     *
     * @param poolId the pool
     * @param rank the node
     * @param phase a short name such as {@code connect}, {@code upload}, {@code agent}
     * @param message detail
     */
    record NodeProgress(String poolId, int rank, String phase, String message) implements PoolEvent {
    }

    /**
     * A node's agent is connected and accepts tasks.
     *
     * @param poolId the pool
     * @param node the node
     * @param elapsed since the pool started provisioning
     */
    record NodeReady(String poolId, NodeInfo node, Duration elapsed) implements PoolEvent {
    }

    /**
     * A node was lost: its agent exited or was killed, or stopped answering heartbeats. Tasks that
     * were on it failed with {@link NodeLostException}; the other nodes go on.
     *
     * @param poolId the pool
     * @param node the node, with {@link NodeInfo#lostReason()} set
     * @param reason what happened (exit code or signal, the agent's last log lines, or the silence)
     */
    record NodeLost(String poolId, NodeInfo node, String reason) implements PoolEvent {
    }

    /**
     * The cloud announced it will take a node away (an AWS spot interruption notice, two minutes
     * ahead): from now on no new task goes to it — tasks that could go anywhere go to the other nodes —
     * while the tasks already there may finish. When the machine goes, {@link NodeLost} follows.
     * Work pinned to the node ({@link ComputePool#node(int)}, {@link ComputePool#broadcast}) still
     * goes there. Clouds without such a notice (DigitalOcean, Verda) only ever report {@link NodeLost}.
     *
     * <pre>{@code
     * ComputePool.builder().allocation(Allocation.SPOT).listener(e -> {
     *     if (e instanceof PoolEvent.NodePreempting p) {
     *         log.warn("node {} goes at {} ({})", p.node().rank(), p.time(), p.action());
     *     }
     * })
     * }</pre>
     *
     * @param poolId the pool
     * @param node the node
     * @param action what the cloud will do: {@code terminate}, {@code stop} or {@code hibernate}
     * @param time when it will, or {@code null} when the notice did not say
     */
    record NodePreempting(String poolId, NodeInfo node, String action, Instant time) implements PoolEvent {
    }

    /**
     * The program is exiting with the pool still open (it was never closed); a shutdown hook closes
     * it now. Open pools in try-with-resources, or call {@link ComputePool#close()}.
     *
     * @param poolId the pool
     */
    record ClosingAtExit(String poolId) implements PoolEvent {
    }

    /**
     * The pool closed; everything it created is gone.
     *
     * @param poolId the pool
     * @param uptime from provisioning to close
     * @param hourlyPrice the pool's total hourly price in USD, 0 on the local provider
     * @param estimatedCost {@code hourlyPrice * uptime}, in USD
     */
    record Closed(String poolId, Duration uptime, double hourlyPrice, double estimatedCost) implements PoolEvent {
    }
}
