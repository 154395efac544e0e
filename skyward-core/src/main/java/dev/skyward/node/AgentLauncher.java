package dev.skyward.node;

import dev.skyward.spi.Instance;
import java.io.IOException;

/**
 * Starts the agent on one instance and makes it reachable from this process. The local provider
 * spawns a JVM; remote instances are reached over SSH (bootstrap, upload, start, port forward).
 */
public interface AgentLauncher {

    /**
     * Starts the agent; returns once it listens and is reachable at {@link StartedAgent#host()}:
     * {@link StartedAgent#port()}. On failure, whatever it started is stopped before it throws.
     *
     * @param instance the machine
     * @param command what to run
     * @return the running agent
     * @throws IOException when the agent cannot be started, with a message that says why
     */
    StartedAgent start(Instance instance, AgentCommand command) throws IOException;
}
