package dev.skyward.pool;

import dev.skyward.spi.Instance;

/** Starts an agent for a rank on an instance and connects to it; stops one the pool gives back. */
interface NodeFactory {

    /** Starts the agent, connects, and returns the connection (heartbeated from then on). */
    NodeConnection start(int rank, Instance instance) throws Exception;

    /** Stops the node's agent (gracefully, then by force) and closes the connection. */
    void stop(NodeConnection node);
}
