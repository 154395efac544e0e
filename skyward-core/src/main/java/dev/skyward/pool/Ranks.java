package dev.skyward.pool;

import dev.skyward.NodeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The pool's ranks, dense from 0: which {@link NodeSlot} holds which node, in which
 * {@link NodeState}. Every state change goes through {@link #move}, which keeps the snapshot of ready
 * nodes the dispatcher reads without locking, and then tells the pool (outside the lock).
 */
final class Ranks {

    private final List<NodeSlot> slots = new ArrayList<>();
    private final Runnable onChange;
    private volatile List<NodeConnection> ready = List.of();

    /** @param onChange run after every change, outside the lock: the dispatcher drains, the pool updates its state */
    Ranks(Runnable onChange) {
        this.onChange = onChange;
    }

    /** A new rank, after the highest, in {@link NodeState#STARTING}. */
    NodeSlot add() {
        synchronized (this) {
            NodeSlot s = new NodeSlot(slots.size());
            slots.add(s);
            return s;
        }
    }

    /** The slot of a rank, or null when the pool has no such rank (now). */
    synchronized NodeSlot get(int rank) {
        return rank >= 0 && rank < slots.size() ? slots.get(rank) : null;
    }

    synchronized List<NodeSlot> all() {
        return List.copyOf(slots);
    }

    /** The slot a node serves (or served, until its rank moved on to a replacement). */
    synchronized NodeSlot slotOf(NodeConnection node) {
        for (NodeSlot s : slots) {
            if (s.node() == node) {
                return s;
            }
        }
        return null;
    }

    /** Moves a slot to {@code next}; a retired slot (always the highest rank) leaves the table. */
    void move(NodeSlot slot, NodeState next) {
        synchronized (this) {
            slot.moveTo(next);
            if (next == NodeState.RETIRED) {
                if (slots.isEmpty() || slots.get(slots.size() - 1) != slot) {
                    throw new IllegalStateException("only the highest rank leaves the pool, not " + slot);
                }
                slots.remove(slots.size() - 1);
            }
            refresh();
        }
        onChange.run();
    }

    /** A node (the first or a replacement) now serves the slot, which is ready. */
    void serve(NodeSlot slot, NodeConnection node, dev.skyward.spi.Instance instance) {
        synchronized (this) {
            slot.serve(Objects.requireNonNull(node), instance);
            slot.moveTo(NodeState.READY);
            refresh();
        }
        onChange.run();
    }

    /** A slot that never got a node leaves the table when it is the highest rank (a failed growth). */
    void dropIfLast(NodeSlot slot) {
        synchronized (this) {
            if (!slots.isEmpty() && slots.get(slots.size() - 1) == slot && slot.node() == null) {
                slots.remove(slots.size() - 1);
            }
            refresh();
        }
        onChange.run();
    }

    private void refresh() {
        List<NodeConnection> r = new ArrayList<>();
        for (NodeSlot s : slots) {
            if (s.state() == NodeState.READY && s.node() != null) {
                r.add(s.node());
            }
        }
        ready = List.copyOf(r);
    }

    /** The nodes that take new work, in rank order; read without locking. */
    List<NodeConnection> ready() {
        return ready;
    }

    /** The ranks that have (or had) a node, as the user sees them. */
    synchronized List<NodeInfo> infos() {
        List<NodeInfo> out = new ArrayList<>();
        for (NodeSlot s : slots) {
            NodeInfo i = s.info();
            if (i != null) {
                out.add(i);
            }
        }
        return out;
    }

    /** Ranks with a node or about to have one again (not counting ranks still starting for the first time). */
    synchronized int size() {
        int n = 0;
        for (NodeSlot s : slots) {
            if (s.node() != null) {
                n++;
            }
        }
        return n;
    }

    synchronized int count(NodeState state) {
        int n = 0;
        for (NodeSlot s : slots) {
            if (s.state() == state) {
                n++;
            }
        }
        return n;
    }

    /** Whether some rank is missing its node (lost, being replaced, or gone). */
    synchronized boolean anyMissing() {
        for (NodeSlot s : slots) {
            if (s.state().missing() || (s.state() == NodeState.STARTING && s.node() != null)) {
                return true;
            }
        }
        return false;
    }

    /** Whether any rank serves work or may again (so waiting work has a future). */
    synchronized boolean anyMayServe() {
        for (NodeSlot s : slots) {
            if (s.state().mayServe()) {
                return true;
            }
        }
        return false;
    }

    /** Every connection the table holds now. */
    synchronized List<NodeConnection> connections() {
        List<NodeConnection> out = new ArrayList<>();
        for (NodeSlot s : slots) {
            if (s.node() != null) {
                out.add(s.node());
            }
        }
        return out;
    }
}
