package dev.skyward;

/**
 * The lifecycle of a {@link ComputePool}:
 * {@code NEW -> PROVISIONING -> STARTING -> READY -> CLOSING -> CLOSED}, with {@code FAILED} reachable
 * from provisioning and starting (everything created is cleaned up, then the pool is
 * {@code CLOSED}). Only a {@code READY} pool accepts tasks.
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
    /** {@code close()} is running: tasks are cancelled, agents stopped, instances terminated. */
    CLOSING,
    /** Everything is gone. Terminal. */
    CLOSED,
    /** Provisioning or start-up failed; cleanup follows, then {@code CLOSED}. */
    FAILED;

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
            case READY -> next == CLOSING;
            case FAILED -> next == CLOSING;
            case CLOSING -> next == CLOSED;
            case CLOSED -> false;
        };
    }
}
