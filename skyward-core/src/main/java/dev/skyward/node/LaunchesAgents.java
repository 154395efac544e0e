package dev.skyward.node;

/**
 * Implemented by a provider whose instances need their own way of starting agents (the local
 * provider spawns processes; the SSH provider brings its own keys). Instances of other providers
 * are started over SSH.
 */
public interface LaunchesAgents {

    /** The launcher for this provider's instances. */
    AgentLauncher agentLauncher();
}
