package dev.skyward.pool;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Open pools of this JVM. One shutdown hook closes whatever is still open when the program exits
 * without closing its pools, so no agent and no paid machine outlives it.
 */
final class PoolRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(PoolRegistry.class);
    private static final Set<EnginePool> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(PoolRegistry::closeAll, "skyward-shutdown"));
    }

    private PoolRegistry() {
    }

    static void register(EnginePool pool) {
        OPEN.add(pool);
    }

    static void unregister(EnginePool pool) {
        OPEN.remove(pool);
    }

    private static void closeAll() {
        for (EnginePool pool : List.copyOf(OPEN)) {
            LOG.warn("closing pool {} at JVM exit: it was not closed (use try-with-resources)", pool.id());
            try {
                pool.closeAtExit();
            } catch (RuntimeException e) {
                LOG.error("closing pool {} at exit failed", pool.id(), e);
            }
        }
    }
}
