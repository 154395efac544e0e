package dev.skyward.bootstrap;

import dev.skyward.spi.Instance;

/**
 * Implemented by providers that hold the SSH key material for their instances (the {@code ssh}
 * provider: the user's key and known_hosts). The engine asks it for each instance with
 * {@code ssh() != null}; for providers that do not implement it, the engine uses the pool's ephemeral
 * key pair (whose public half went out in {@link dev.skyward.spi.LaunchRequest#sshPublicKey()}) and
 * one {@link HostKeyPolicy#pinnedFirstUse()} per pool.
 *
 * <pre>{@code
 * SshCredentials c = provider instanceof SshAccess a ? a.sshCredentials(instance)
 *         : poolKey.sshCredentials(instance);   // PoolKey: ephemeral key, pinned host keys
 * }</pre>
 */
public interface SshAccess {

    /**
     * How to log in to one of this provider's instances.
     *
     * @param instance an instance this provider returned from launch or describe
     * @return key and host key policy
     */
    SshCredentials sshCredentials(Instance instance);

    /**
     * Adjusts the bootstrap for this provider's machines (e.g. a short banner deadline for machines
     * that are already up). The pool's image and reconnect window are set before this is called.
     *
     * @param settings the settings being built
     */
    default void configure(BootstrapSettings.Builder settings) {
    }
}
