package dev.skyward;

import dev.skyward.spi.Offer;
import dev.skyward.spi.OwnedInstance;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
     * A node was lost: its agent exited or was killed, it stopped answering heartbeats, or it failed
     * its {@link HealthCheck}. Tasks that were on it are retried elsewhere (see
     * {@link ComputePool.Builder#retries(int)}) or fail with {@link NodeLostException}; the other nodes
     * go on, and a replacement follows unless {@link Replacement#NEVER}.
     *
     * @param poolId the pool
     * @param node the node, with {@link NodeInfo#lostReason()} set
     * @param reason what happened (exit code or signal, the agent's last log lines, or the silence)
     */
    record NodeLost(String poolId, NodeInfo node, String reason) implements PoolEvent {
    }

    /**
     * A lost node is being replaced: a new instance is asked of the same provider, and once its agent
     * is connected it takes the lost node's rank ({@link NodeReplaced}).
     *
     * @param poolId the pool
     * @param rank the rank that gets the new node
     * @param attempt 1 for the rank's first replacement, then 2, ...
     * @param reason why the old node was lost
     */
    record NodeReplacing(String poolId, int rank, int attempt, String reason) implements PoolEvent {
    }

    /**
     * A replacement node is ready and serves the lost rank; work pinned to the rank and tasks waiting
     * for a retry go there.
     *
     * @param poolId the pool
     * @param node the new node
     * @param elapsed from the loss to this moment
     */
    record NodeReplaced(String poolId, NodeInfo node, Duration elapsed) implements PoolEvent {
    }

    /**
     * A lost rank will not be replaced: the policy's limit is reached, or starting the replacement
     * failed. Work pinned to the rank fails with {@link NodeLostException}.
     *
     * @param poolId the pool
     * @param rank the rank
     * @param reason why not
     */
    record NodeNotReplaced(String poolId, int rank, String reason) implements PoolEvent {
    }

    /**
     * The pool's size changed: an elastic pool grew while tasks queued or gave back idle nodes, or
     * {@link ComputePool#resize(int)} was called.
     *
     * @param poolId the pool
     * @param from nodes before
     * @param to nodes after
     * @param hourlyPrice the pool's hourly price in USD at the new size (0 on the local provider)
     * @param why what caused it, e.g. {@code 12 tasks waiting} or {@code idle for PT30S}
     */
    record Resized(String poolId, int from, int to, double hourlyPrice, String why) implements PoolEvent {
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
     * @param hourlyPrice the pool's total hourly price in USD at close (what its nodes cost per hour, each
     *     at the price paid for it), 0 on the local provider
     * @param estimatedCost the sum of {@link NodeCost#estimatedCost()} over {@code nodes}, in USD
     * @param nodes every machine the pool had, each with its own uptime and price
     */
    record Closed(String poolId, Duration uptime, double hourlyPrice, double estimatedCost, List<NodeCost> nodes)
            implements PoolEvent {

        /** Copies the nodes. */
        public Closed {
            nodes = List.copyOf(nodes);
        }

        /** A close with no per-node accounting (a pool that never had machines). */
        public Closed(String poolId, Duration uptime, double hourlyPrice, double estimatedCost) {
            this(poolId, uptime, hourlyPrice, estimatedCost, List.of());
        }

        /** The estimated cost per provider, in USD, providers in the order their first node appears. */
        public Map<String, Double> costByProvider() {
            Map<String, Double> by = new LinkedHashMap<>();
            nodes.forEach(n -> by.merge(n.provider(), n.estimatedCost(), Double::sum));
            return by;
        }
    }

    /**
     * {@code build()} found instances of this user's expired pools on the pool's providers (a client that
     * crashed or was killed, a lifetime that passed): they may still be billed.
     *
     * @param poolId the pool being built
     * @param instances the expired pools' instances
     * @param terminating whether they are terminated now ({@code ComputePool.Builder.downExpired(true)})
     */
    record ExpiredPoolsFound(String poolId, List<OwnedInstance> instances, boolean terminating) implements PoolEvent {
        /** Copies the list. */
        public ExpiredPoolsFound {
            instances = List.copyOf(instances);
        }
    }

    /**
     * An expired pool found by {@code build()} was terminated (with {@code downExpired(true)}), or could
     * not be.
     *
     * @param poolId the pool being built
     * @param provider the provider
     * @param expiredPoolId the expired pool
     * @param error why terminating it failed, or {@code null} when it is gone
     */
    record ExpiredPoolTerminated(String poolId, String provider, String expiredPoolId, String error)
            implements PoolEvent {
    }
}
