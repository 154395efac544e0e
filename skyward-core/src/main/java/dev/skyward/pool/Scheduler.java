package dev.skyward.pool;

import dev.skyward.Scheduling;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Picks the node for a task that is not pinned to one, among the nodes that take work now. */
final class Scheduler {

    private final Scheduling policy;
    private final boolean pack;
    private final AtomicInteger next = new AtomicInteger();

    /**
     * @param pack on ties, prefer the lowest rank instead of rotating: an elastic pool's highest
     *     ranks then fall idle when the load drops, and can be given back
     */
    Scheduler(Scheduling policy, boolean pack) {
        this.policy = policy;
        this.pack = pack;
    }

    /**
     * A node with fewer than {@code room} tasks in flight, or null when none has room (or there is
     * no node).
     */
    NodeConnection pick(List<NodeConnection> nodes, int room) {
        int n = nodes.size();
        if (n == 0) {
            return null;
        }
        int start = pack ? 0 : Math.floorMod(next.getAndIncrement(), n);
        NodeConnection best = null;
        for (int i = 0; i < n; i++) {
            NodeConnection c = nodes.get((start + i) % n);
            if (c.isLost() || c.inFlight() >= room) {
                continue;
            }
            if (policy == Scheduling.ROUND_ROBIN) {
                return c;
            }
            if (best == null || c.inFlight() < best.inFlight()) {
                best = c;
            }
        }
        return best;
    }
}
