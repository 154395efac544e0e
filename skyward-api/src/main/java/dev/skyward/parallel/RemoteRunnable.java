package dev.skyward.parallel;

import java.io.Serializable;

/**
 * A {@link Runnable} that can travel to a node: what {@link PoolExecutor#execute(Runnable)} and
 * {@link PoolExecutor#submit(Runnable)} run there.
 *
 * <pre>{@code
 * RemoteRunnable warm = () -> Cache.load("/data/shard-0");
 * pool.executor().submit(warm).get();
 * }</pre>
 *
 * <p>Any other {@code Runnable} whose class implements {@link Serializable} is accepted too.
 */
@FunctionalInterface
public interface RemoteRunnable extends Runnable, Serializable {
}
