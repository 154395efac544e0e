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
    ERROR
}
