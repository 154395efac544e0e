package dev.skyward.pool;

import dev.skyward.NodeLostException;
import dev.skyward.Scheduling;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks the node for a task that is not pinned to one: never a lost node, and a draining one (its
 * machine is about to be taken away) only when no other node is left.
 */
final class Scheduler {

    private final List<NodeConnection> nodes;
    private final Scheduling policy;
    private final AtomicInteger next = new AtomicInteger();

    Scheduler(List<NodeConnection> nodes, Scheduling policy) {
        this.nodes = List.copyOf(nodes);
        this.policy = policy;
    }

    NodeConnection pick() {
        int n = nodes.size();
        int start = Math.floorMod(next.getAndIncrement(), n);
        NodeConnection best = null;
        NodeConnection lastResort = null;
        for (int i = 0; i < n; i++) {
            NodeConnection c = nodes.get((start + i) % n);
            if (c.isLost()) {
                continue;
            }
            if (c.isDraining()) {
                // Still better than failing: it works until the cloud takes it (and a replacement may come).
                if (lastResort == null || c.inFlight() < lastResort.inFlight()) {
                    lastResort = c;
                }
                continue;
            }
            if (policy == Scheduling.ROUND_ROBIN) {
                return c;
            }
            if (best == null || c.inFlight() < best.inFlight()) {
                best = c;
            }
        }
        if (best == null && lastResort != null) {
            return lastResort;
        }
        if (best == null) {
            throw new NodeLostException(-1, "every node of the pool has been lost; close the pool and build a new one. "
                    + "First: " + nodes.get(0).info().lostReason(), null);
        }
        return best;
    }
}
