package dev.skyward.parallel;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A {@link Callable} that can travel to a node: what {@link PoolExecutor#submit(Callable)} runs there.
 * A lambda typed as this interface is serializable, with its captures.
 *
 * <pre>{@code
 * RemoteCallable<Double> fold = () -> crossValidate(params);
 * Future<Double> f = pool.executor().submit(fold);
 * }</pre>
 *
 * <p>Any other {@code Callable} whose class implements {@link Serializable} is accepted too, e.g. an
 * intersection cast {@code (Callable<Double> & Serializable) () -> ...}.
 *
 * @param <T> the result type; it travels back, so it should be serializable
 */
@FunctionalInterface
public interface RemoteCallable<T> extends Callable<T>, Serializable {
}
