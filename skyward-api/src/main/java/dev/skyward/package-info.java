/**
 * Skyward: run Java lambdas on ephemeral GPU pools.
 *
 * <p>Start at {@link dev.skyward.ComputePool#builder()}:
 *
 * <pre>{@code
 * try (var pool = ComputePool.builder().accelerator("H100:8").nodes(2).build()) {
 *     List<Integer> ranks = pool.broadcast(ctx -> ctx.rank());
 * }
 * }</pre>
 *
 * <p>Tasks are {@link dev.skyward.Task} and {@link dev.skyward.MapTask} lambdas; on the node they
 * receive a {@link dev.skyward.NodeContext}. Failures are {@link dev.skyward.SkywardException}s
 * (bad settings: {@link dev.skyward.PoolConfigurationException}; a task that threw:
 * {@link dev.skyward.TaskFailedException}; a capture that cannot travel:
 * {@link dev.skyward.TaskSerializationException}).
 */
package dev.skyward;
