package dev.skyward.node;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * An agent a launcher started: where to reach it, and how to make sure it is gone.
 */
public interface StartedAgent {

    /** Address this process connects to (127.0.0.1 for local agents and SSH forwards). */
    String host();

    /** Port this process connects to. */
    int port();

    /** Whether the agent process is still running, as far as the launcher can tell. */
    boolean isAlive();

    /**
     * Completes when the launcher sees the agent process end, with what happened in words: the exit
     * code or the signal, and the last lines the agent wrote to its own stdout/stderr. Launchers
     * that cannot watch the process leave it incomplete; the client then notices a dead node by
     * its broken stream or its silence.
     *
     * @return how the agent ended, once it has
     */
    default CompletableFuture<String> exited() {
        return new CompletableFuture<>();
    }

    /**
     * After the connection to the agent broke: waits, up to {@code timeout}, until the agent can be
     * reached again at {@link #host()}:{@link #port()} (an SSH tunnel re-opens on the same local port).
     *
     * @param timeout how long to wait
     * @return true when the client should reconnect; false when the node is gone
     */
    default boolean awaitReachable(Duration timeout) {
        return isAlive();
    }

    /**
     * Makes sure the agent and everything it started are gone, after the client already asked it
     * to shut down: waits up to {@code grace} for it to exit, then kills it and its descendants,
     * closes tunnels and removes what the launcher put on the node.
     *
     * @param grace how long to wait before killing
     * @return true when nothing of the agent remains
     */
    boolean destroy(Duration grace);
}
