package dev.skyward.bootstrap;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to log in to a node and which host keys to accept: a private key (a file, a pool's ephemeral
 * key pair in memory, or the keys of a running ssh-agent) plus a {@link HostKeyPolicy}.
 *
 * <pre>{@code
 * SshCredentials c = SshCredentials.keyFile(Path.of("/home/me/.ssh/id_ed25519"),
 *         HostKeyPolicy.knownHosts(Path.of("/home/me/.ssh/known_hosts")));
 * }</pre>
 *
 * @param keyFile an OpenSSH private key file without passphrase, or {@code null}
 * @param privateKey an in-memory private key in OpenSSH format (a pool's ephemeral key), or {@code null}
 * @param agentSocket the Unix socket of an ssh-agent holding the key, or {@code null}
 * @param hostKeys which host keys to accept
 */
public record SshCredentials(Path keyFile, String privateKey, Path agentSocket, HostKeyPolicy hostKeys) {

    /** Exactly one key source, and a host key policy. */
    public SshCredentials {
        Objects.requireNonNull(hostKeys, "hostKeys");
        int sources = (keyFile != null ? 1 : 0) + (privateKey != null ? 1 : 0) + (agentSocket != null ? 1 : 0);
        if (sources != 1) {
            throw new IllegalArgumentException("give exactly one of a private key file, an in-memory key pair and an "
                    + "ssh-agent socket");
        }
    }

    /**
     * @param keyFile private key file (OpenSSH or PEM format, no passphrase)
     * @param hostKeys host key policy
     * @return the credentials
     */
    public static SshCredentials keyFile(Path keyFile, HostKeyPolicy hostKeys) {
        return new SshCredentials(keyFile, null, null, hostKeys);
    }

    /**
     * @param privateKey OpenSSH private key text, e.g. the pool's ephemeral key ({@link PoolKey})
     * @param hostKeys host key policy, usually {@link HostKeyPolicy#pinnedFirstUse()} of the pool
     * @return the credentials
     */
    public static SshCredentials privateKey(String privateKey, HostKeyPolicy hostKeys) {
        return new SshCredentials(null, privateKey, null, hostKeys);
    }

    /**
     * @param socket the agent's socket, usually {@code $SSH_AUTH_SOCK}
     * @param hostKeys host key policy
     * @return credentials that try every key the agent holds
     */
    public static SshCredentials agent(Path socket, HostKeyPolicy hostKeys) {
        return new SshCredentials(null, null, socket, hostKeys);
    }

    /** Where the key comes from, for messages. */
    public String keyDescription() {
        return keyFile != null ? "key " + keyFile : privateKey != null ? "the pool's ephemeral key"
                : "the keys of the ssh-agent at " + agentSocket;
    }

    /** Never prints key material. */
    @Override
    public String toString() {
        return "SshCredentials[" + keyDescription() + ", " + hostKeys.getClass().getSimpleName() + "]";
    }
}
