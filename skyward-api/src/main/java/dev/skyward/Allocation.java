package dev.skyward;

/**
 * Whether nodes are on-demand or spot (preemptible) instances.
 *
 * <pre>{@code
 * ComputePool.builder().accelerator("H100:8").allocation(Allocation.SPOT_IF_AVAILABLE)
 * }</pre>
 */
public enum Allocation {
    /** Regular instances at list price. The default. */
    ON_DEMAND,
    /** Spot instances only; offers without a spot price are skipped. */
    SPOT,
    /** Spot where a provider has it, on-demand otherwise. */
    SPOT_IF_AVAILABLE
}
