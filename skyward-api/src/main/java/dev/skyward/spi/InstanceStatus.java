package dev.skyward.spi;

/** A provider instance's state, normalized across clouds. */
public enum InstanceStatus {
    /** Requested, not yet running. */
    PENDING,
    /** Running and reachable. */
    RUNNING,
    /** Being stopped or terminated. */
    STOPPING,
    /** Gone. */
    TERMINATED,
    /** Failed for good. */
    ERROR,
    /**
     * The provider accepted the request, then could not place the instance (e.g. Verda's
     * {@code no_capacity}): a capacity failure, so the pool moves on to the next offer.
     */
    NO_CAPACITY
}
