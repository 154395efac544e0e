package dev.skyward;

/**
 * The lifecycle of a {@link ComputePool}:
 * {@code NEW -> PROVISIONING -> STARTING -> READY -> CLOSING -> CLOSED}, with {@code FAILED} reachable
 * from provisioning and starting (everything created is cleaned up, then the pool is
 * {@code CLOSED}), and {@code READY <-> DEGRADED} while a lost node is missing. Only a {@code READY}
 * or {@code DEGRADED} pool accepts tasks ({@link #acceptsTasks()}).
 */
public enum PoolState {
    /** Built, nothing started yet. */
    NEW,
    /** Choosing an offer and creating instances. */
    PROVISIONING,
    /** Instances exist; agents are booting and connecting. */
    STARTING,
    /** Every node's agent is connected; tasks are accepted. */
    READY,
    /**
     * A node was lost and is not (yet) replaced; tasks are accepted and run on the other nodes, and
     * the pool returns to {@code READY} when the replacement is ready.
     */
    DEGRADED,
    /** {@code close()} is running: tasks are cancelled, agents stopped, instances terminated. */
    CLOSING,
    /** Everything is gone. Terminal. */
    CLOSED,
    /** Provisioning or start-up failed; cleanup follows, then {@code CLOSED}. */
    FAILED;

    /** Whether a pool in this state accepts tasks: {@code READY} or {@code DEGRADED}. */
    public boolean acceptsTasks() {
        return this == READY || this == DEGRADED;
    }

    /**
     * Whether a pool may move from this state to {@code next}.
     *
     * @param next the proposed state
     * @return true when the transition is legal
     */
    public boolean canMoveTo(PoolState next) {
        return switch (this) {
            case NEW -> next == PROVISIONING || next == CLOSING || next == FAILED;
            case PROVISIONING -> next == STARTING || next == FAILED || next == CLOSING;
            case STARTING -> next == READY || next == FAILED || next == CLOSING;
            case READY -> next == DEGRADED || next == CLOSING;
            case DEGRADED -> next == READY || next == CLOSING;
            case FAILED -> next == CLOSING;
            case CLOSING -> next == CLOSED;
            case CLOSED -> false;
        };
    }
}
