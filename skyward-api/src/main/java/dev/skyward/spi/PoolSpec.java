package dev.skyward.spi;

import dev.skyward.Accelerator;
import dev.skyward.Allocation;
import dev.skyward.HealthCheck;
import dev.skyward.Replacement;
import dev.skyward.Image;
import dev.skyward.OutputListener;
import dev.skyward.PoolListener;
import dev.skyward.Scheduling;
import dev.skyward.Selection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything {@link dev.skyward.ComputePool.Builder} collected, validated. Handed to the
 * {@link PoolFactory}.
 *
 * @param name pool name (also the prefix of its id)
 * @param providers providers in the order given; empty means the local provider
 * @param accelerator accelerator per node
 * @param nodes node count at the start; the minimum of an elastic pool
 * @param image what nodes need
 * @param selection offer ordering rule
 * @param allocation on-demand or spot
 * @param scheduling how tasks are spread
 * @param concurrency tasks one node runs at once
 * @param env extra environment for every node
 * @param masterPort rendezvous port
 * @param minVcpus offer filter
 * @param minMemoryGiB offer filter
 * @param regions offer filter
 * @param maxHourlyPrice offer filter, per node
 * @param provisionTimeout overall deadline for getting every node ready
 * @param shutdownGrace how long close() waits for agents before killing them
 * @param heartbeatGrace how long an agent lives on without hearing from the client
 * @param maxNodeLifetime hard cap on every agent's life, even with the client alive, or {@code null}
 * @param output where task output goes
 * @param listeners pool event listeners
 * @param console whether progress is shown on the console
 * @param agentJvmOptions JVM options for every agent, after Skyward's own
 * @param maxNodes the most nodes an elastic pool grows to; {@code nodes} for a pool of fixed size
 * @param replacement what happens to lost nodes
 * @param retries how often a task interrupted by a node loss is sent again
 * @param idleTimeout how long a node above the minimum of an elastic pool may stay idle before it is given back
 * @param healthCheck the check run on every node, or {@code null}
 * @param downExpired whether {@code build()} terminates this user's expired pools it finds on the chosen
 *     providers (they are reported either way)
 */
public record PoolSpec(String name, List<Provider> providers, Accelerator accelerator, int nodes, Image image,
        Selection selection, Allocation allocation, Scheduling scheduling, int concurrency, Map<String, String> env,
        int masterPort, int minVcpus, double minMemoryGiB, List<String> regions, double maxHourlyPrice,
        Duration provisionTimeout, Duration shutdownGrace, Duration heartbeatGrace, Duration maxNodeLifetime,
        OutputListener output,
        List<PoolListener> listeners, boolean console, List<String> agentJvmOptions, int maxNodes,
        Replacement replacement, int retries, Duration idleTimeout, HealthCheck healthCheck, boolean downExpired) {

    /** Copies the collections. */
    public PoolSpec {
        providers = List.copyOf(providers);
        env = Map.copyOf(env);
        regions = List.copyOf(regions);
        listeners = List.copyOf(listeners);
        agentJvmOptions = List.copyOf(agentJvmOptions);
    }

    /** Whether the pool grows and shrinks between {@link #nodes()} and {@link #maxNodes()}. */
    public boolean elastic() {
        return maxNodes > nodes;
    }

    /** The offer query this spec implies. */
    public OfferQuery offerQuery() {
        return new OfferQuery(accelerator, nodes, allocation, minVcpus, minMemoryGiB, regions, maxHourlyPrice);
    }
}
