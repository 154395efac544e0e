package dev.skyward.node;

import dev.skyward.Accelerator;
import dev.skyward.wire.Protocol;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment every node's agent runs with, so that tasks and the processes they start
 * ({@code torchrun}, {@code python}) can rendezvous: the torch.distributed names and their
 * {@code SKYWARD_*} equivalents.
 */
public final class NodeEnvironment {

    private NodeEnvironment() {
    }

    /**
     * @param poolId the pool
     * @param rank this node
     * @param nodes node count
     * @param headAddress the head's address as the other nodes reach it
     * @param masterPort rendezvous port
     * @param accelerator per node
     * @param extra image and user variables; they may not override the distributed ones
     * @param token the pool token
     * @return the variables
     */
    public static Map<String, String> of(String poolId, int rank, int nodes, String headAddress, int masterPort,
            Accelerator accelerator, Map<String, String> extra, String token) {
        Map<String, String> env = new LinkedHashMap<>(extra);
        put(env, "MASTER_ADDR", headAddress);
        put(env, "MASTER_PORT", Integer.toString(masterPort));
        put(env, "WORLD_SIZE", Integer.toString(nodes));
        put(env, "RANK", Integer.toString(rank));
        put(env, "NODE_RANK", Integer.toString(rank));
        put(env, "LOCAL_RANK", "0");
        put(env, "NNODES", Integer.toString(nodes));
        put(env, "GPUS_PER_NODE", Integer.toString(accelerator.count()));
        env.put("SKYWARD_POOL_ID", poolId);
        env.put("SKYWARD_ACCELERATOR", accelerator.toString());
        env.put("SKYWARD_ACCELERATOR_MEMORY_GIB", Integer.toString(accelerator.memoryGiB()));
        env.put(Protocol.TOKEN_ENV, token);
        return env;
    }

    private static void put(Map<String, String> env, String name, String value) {
        env.put(name, value);
        env.put("SKYWARD_" + name, value);
    }
}
