package dev.skyward;

/**
 * How {@link ComputePool#run} and {@link ComputePool#submit} pick a node for a task.
 */
public enum Scheduling {
    /** The node with the fewest tasks in flight; ties go round-robin. The default. */
    LEAST_LOADED,
    /** Nodes in turn, regardless of load. */
    ROUND_ROBIN
}
