package dev.skyward.pool;

import dev.skyward.ComputePool;
import dev.skyward.spi.PoolFactory;
import dev.skyward.spi.PoolSpec;

/** The engine's entry point, found by {@code ComputePool.builder().build()} through ServiceLoader. */
public final class EnginePoolFactory implements PoolFactory {

    /** For ServiceLoader. */
    public EnginePoolFactory() {
    }

    @Override
    public ComputePool create(PoolSpec spec) {
        return EnginePool.start(spec);
    }
}
