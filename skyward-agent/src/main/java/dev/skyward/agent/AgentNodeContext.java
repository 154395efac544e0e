package dev.skyward.agent;

import dev.skyward.Accelerator;
import dev.skyward.NodeContext;
import java.util.Map;

/** The {@link NodeContext} tasks see on this node: facts from the agent's environment. */
final class AgentNodeContext implements NodeContext {

    private final NodeFacts facts;
    private final long taskId;

    AgentNodeContext(NodeFacts facts, long taskId) {
        this.facts = facts;
        this.taskId = taskId;
    }

    @Override
    public int rank() {
        return facts.rank();
    }

    @Override
    public int worldSize() {
        return facts.worldSize();
    }

    @Override
    public int nodeCount() {
        return facts.worldSize();
    }

    @Override
    public String headAddress() {
        return facts.headAddress();
    }

    @Override
    public int headPort() {
        return facts.headPort();
    }

    @Override
    public Accelerator accelerator() {
        return facts.accelerator();
    }

    @Override
    public Map<String, String> env() {
        return facts.env();
    }

    @Override
    public long taskId() {
        return taskId;
    }

    @Override
    public String toString() {
        return "node " + rank() + "/" + worldSize() + " task " + taskId;
    }

    /**
     * What the launcher told this node through its environment.
     *
     * @param rank the rank
     * @param worldSize nodes in the pool
     * @param headAddress MASTER_ADDR
     * @param headPort MASTER_PORT
     * @param accelerator SKYWARD_ACCELERATOR
     * @param env the whole environment
     */
    record NodeFacts(int rank, int worldSize, String headAddress, int headPort, Accelerator accelerator,
            Map<String, String> env) {

        static NodeFacts fromEnvironment(int rank, Map<String, String> env) {
            int world = Integer.parseInt(env.getOrDefault("WORLD_SIZE", "1"));
            String head = env.getOrDefault("MASTER_ADDR", "127.0.0.1");
            int port = Integer.parseInt(env.getOrDefault("MASTER_PORT", "29500"));
            String acc = env.getOrDefault("SKYWARD_ACCELERATOR", "none");
            int mem = Integer.parseInt(env.getOrDefault("SKYWARD_ACCELERATOR_MEMORY_GIB", "0"));
            Accelerator a = Accelerator.parse(acc);
            if (a.isPresent() && mem > 0) {
                a = Accelerator.of(a.name(), a.count(), mem);
            }
            return new NodeFacts(rank, world, head, port, a, Map.copyOf(env));
        }
    }
}
