package dev.skyward.pool;

import dev.skyward.PoolEvent;
import dev.skyward.Replacement;
import dev.skyward.spi.Instance;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces lost nodes, keeping their rank: the lost node's instance is terminated, a new one launched
 * through the same provider and offer (it gets the freed launch index), an agent started there for
 * the same rank; then the rank is ready again and the work waiting for it goes there. The
 * {@link Replacement} policy bounds how often one rank is replaced.
 *
 * <p>Nothing is replaced once the pool's {@code maxNodeLifetime} has passed: that cap is there to
 * stop spending, and a replacement would defeat it.
 *
 * <p>A node about to go ({@link #preempted}) is replaced at once while it finishes its running tasks:
 * it takes no new work, and is stopped and terminated once idle (or lost).
 */
final class Healer {

    private static final Logger LOG = LoggerFactory.getLogger(Healer.class);

    private final String poolId;
    private final Ranks ranks;
    private final NodeSupply supply;
    private final NodeFactory factory;
    private final Replacement policy;
    private final Duration timeout;
    private final Consumer<PoolEvent> events;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final BooleanSupplier closing;
    private final BooleanSupplier expired;

    Healer(String poolId, Ranks ranks, NodeSupply supply, NodeFactory factory, Replacement policy, Duration timeout,
            Consumer<PoolEvent> events, ExecutorService workers, ScheduledExecutorService timer, BooleanSupplier closing,
            BooleanSupplier expired) {
        this.expired = expired;
        this.poolId = poolId;
        this.ranks = ranks;
        this.supply = supply;
        this.factory = factory;
        this.policy = policy;
        this.timeout = timeout;
        this.events = events;
        this.workers = workers;
        this.timer = timer;
        this.closing = closing;
    }

    /** The node was lost (told by its connection): its rank is replaced, or gone, as the policy says. */
    void lost(NodeConnection node, String why) {
        NodeSlot slot = ranks.slotOf(node);
        if (slot == null || closing.getAsBoolean()) {
            return;
        }
        synchronized (slot) {
            NodeState s = slot.state();
            if (s != NodeState.READY && s != NodeState.DRAINING) {
                return; // a replaced node's predecessor, or a rank already being replaced
            }
            ranks.move(slot, NodeState.LOST);
            if (supply == null || !policy.replaces()) {
                giveUp(slot, "the pool's replacement policy is Replacement.NEVER");
            } else if (expired.getAsBoolean()) {
                // maxNodeLifetime caps what the pool may spend: a node that reached it is not brought back.
                giveUp(slot, "the pool's maxNodeLifetime has passed, so its nodes are meant to stop");
            } else if (slot.replacements() >= policy.maxPerRank()) {
                giveUp(slot, "rank " + slot.rank + " was already replaced " + slot.replacements()
                        + " times, the most Replacement.atMost(" + policy.maxPerRank() + ") allows");
            } else {
                replace(slot, why, true);
            }
        }
    }

    /**
     * The node will go soon (a spot interruption notice): it takes no new work from now on, its
     * replacement starts at once, and it is stopped once its running tasks are done.
     */
    void preempted(NodeConnection node, String why) {
        NodeSlot slot = ranks.slotOf(node);
        if (slot == null || closing.getAsBoolean()) {
            return;
        }
        synchronized (slot) {
            if (slot.state() != NodeState.READY) {
                return;
            }
            ranks.move(slot, NodeState.DRAINING);
            if (supply == null || !policy.replaces() || slot.replacements() >= policy.maxPerRank()) {
                return; // it drains, and its loss then says it is not replaced
            }
            Instance old = slot.instance();
            replace(slot, why, false);
            retireWhenIdle(node, old);
        }
    }

    private void replace(NodeSlot slot, String why, boolean terminateOld) {
        int attempt = slot.countReplacement();
        ranks.move(slot, NodeState.REPLACING);
        events.accept(new PoolEvent.NodeReplacing(poolId, slot.rank, attempt, why));
        Instance old = slot.instance();
        NodeConnection oldNode = slot.node();
        try {
            workers.execute(() -> run(slot, terminateOld ? oldNode : null, terminateOld ? old : null));
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            giveUp(slot, "the pool is closing");
        }
    }

    private void run(NodeSlot slot, NodeConnection oldNode, Instance oldInstance) {
        long start = slot.lostAtNanos();
        try {
            if (oldNode != null) {
                factory.stop(oldNode); // a node lost by a failed check or silence may still be running
            }
            if (oldInstance != null) {
                supply.terminate(oldInstance);
            }
            Instance fresh = supply.launchOne(timeout);
            if (closing.getAsBoolean()) {
                return; // close() terminates the pool's instances
            }
            NodeConnection node = factory.start(slot.rank, fresh);
            synchronized (slot) {
                ranks.serve(slot, node, fresh);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            LOG.info("pool {}: rank {} replaced in {} ms", poolId, slot.rank, took.toMillis());
            events.accept(new PoolEvent.NodeReplaced(poolId, node.info(), took));
        } catch (InterruptedException e) {
            if (!closing.getAsBoolean()) {
                giveUp(slot, "its replacement was not ready within the provisioning timeout of " + timeout
                        + "; raise provisionTimeout() if machines boot slowly here");
            }
        } catch (Exception | LinkageError e) {
            if (!closing.getAsBoolean()) {
                LOG.warn("pool {}: replacing rank {} failed", poolId, slot.rank, e);
                giveUp(slot, "starting its replacement failed: " + e.getMessage());
            }
        }
    }

    private void giveUp(NodeSlot slot, String why) {
        synchronized (slot) {
            slot.gone(why);
            if (slot.state().canMoveTo(NodeState.GONE)) {
                ranks.move(slot, NodeState.GONE);
            }
        }
        events.accept(new PoolEvent.NodeNotReplaced(poolId, slot.rank, why));
    }

    /** Stops a node and terminates its instance once it runs nothing (or is lost). */
    void retireWhenIdle(NodeConnection node, Instance instance) {
        if (node.inFlight() > 0 && !node.isLost() && !closing.getAsBoolean()) {
            timer.schedule(() -> retireWhenIdle(node, instance), 200, TimeUnit.MILLISECONDS);
            return;
        }
        try {
            workers.execute(() -> {
                factory.stop(node);
                if (instance != null && !closing.getAsBoolean()) {
                    try {
                        supply.terminate(instance);
                    } catch (RuntimeException e) {
                        LOG.warn("pool {}: terminating instance {} failed: {}", poolId, instance.id(), e.toString());
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // close() stops every agent and terminates every instance
        }
    }
}
