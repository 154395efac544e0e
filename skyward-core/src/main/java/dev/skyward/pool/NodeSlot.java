package dev.skyward.pool;

import dev.skyward.NodeInfo;
import dev.skyward.spi.Instance;

/**
 * One rank of a pool: its state ({@link NodeState}), the node serving it now (or the one it lost),
 * the instance under it and how often it was replaced. Guarded by the {@link Ranks} that holds it.
 */
final class NodeSlot {

    final int rank;
    private NodeState state = NodeState.STARTING;
    private NodeConnection node;
    private Instance instance;
    private int replacements;
    private long lostAtNanos;
    private long idleSinceNanos = System.nanoTime();
    private String goneReason;

    NodeSlot(int rank) {
        this.rank = rank;
    }

    NodeState state() {
        return state;
    }

    /**
     * Moves to {@code next}.
     *
     * @throws IllegalStateException for a move the node lifecycle does not allow
     */
    void moveTo(NodeState next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("rank " + rank + " cannot move from " + state + " to " + next);
        }
        if (next == NodeState.LOST || (next == NodeState.REPLACING && state == NodeState.DRAINING)) {
            lostAtNanos = System.nanoTime();
        }
        state = next;
    }

    /** The node serving the rank, or the last one it had; null while the first is starting. */
    NodeConnection node() {
        return node;
    }

    Instance instance() {
        return instance;
    }

    /** A node (first or replacement) now serves this rank. */
    void serve(NodeConnection node, Instance instance) {
        this.node = node;
        this.instance = instance;
        this.idleSinceNanos = System.nanoTime();
    }

    void forgetInstance() {
        this.instance = null;
    }

    int replacements() {
        return replacements;
    }

    int countReplacement() {
        return ++replacements;
    }

    long lostAtNanos() {
        return lostAtNanos;
    }

    String goneReason() {
        return goneReason;
    }

    void gone(String why) {
        this.goneReason = why;
    }

    /** Since when the node has had nothing to do (now, while it is busy). */
    long idleSinceNanos() {
        NodeConnection n = node;
        if (n != null && n.inFlight() > 0) {
            idleSinceNanos = System.nanoTime();
        }
        return idleSinceNanos;
    }

    void busy() {
        idleSinceNanos = System.nanoTime();
    }

    /** The rank as the user sees it: the node serving it, or the lost one with why. */
    NodeInfo info() {
        return node == null ? null : node.info();
    }

    @Override
    public String toString() {
        return "rank " + rank + " (" + state + ")";
    }
}
