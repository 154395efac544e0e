package dev.skyward.parallel;

import java.io.Serializable;
import java.util.function.Supplier;

/**
 * A {@link Supplier} that can travel to a node, for {@link PoolExecutor#supplyAsync(RemoteSupplier)}:
 * the pool's counterpart of {@code CompletableFuture.supplyAsync(supplier, executor)}.
 *
 * <pre>{@code
 * CompletableFuture<Double> score = pool.executor().supplyAsync(() -> evaluate(model));
 * }</pre>
 *
 * @param <T> the result type; it travels back, so it should be serializable
 */
@FunctionalInterface
public interface RemoteSupplier<T> extends Supplier<T>, Serializable {
}
