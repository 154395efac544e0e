package dev.skyward.spi;

import dev.skyward.ComputePool;

/**
 * Creates pools; the engine ({@code skyward-core}) provides one through {@link java.util.ServiceLoader}.
 * Applications never call this directly: {@link ComputePool.Builder#build()} does.
 */
public interface PoolFactory {

    /**
     * Provisions and starts a pool; returns when every node is ready or throws after cleaning up.
     *
     * @param spec the validated settings
     * @return a ready pool
     */
    ComputePool create(PoolSpec spec);
}
