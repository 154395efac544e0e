package dev.skyward.bootstrap;

import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Objects;

/**
 * How to log in to a node and which host keys to accept: a private key (a file, or a pool's
 * ephemeral key pair in memory) plus a {@link HostKeyPolicy}.
 *
 * <pre>{@code
 * SshCredentials c = SshCredentials.keyFile(Path.of("/home/me/.ssh/id_ed25519"),
 *         HostKeyPolicy.knownHosts(Path.of("/home/me/.ssh/known_hosts")));
 * }</pre>
 *
 * @param keyFile an OpenSSH private key file without passphrase, or {@code null}
 * @param keyPair an in-memory key pair, or {@code null}
 * @param hostKeys which host keys to accept
 */
public record SshCredentials(Path keyFile, KeyPair keyPair, HostKeyPolicy hostKeys) {

    /** Exactly one key source, and a host key policy. */
    public SshCredentials {
        Objects.requireNonNull(hostKeys, "hostKeys");
        if ((keyFile == null) == (keyPair == null)) {
            throw new IllegalArgumentException("give exactly one of a private key file and an in-memory key pair");
        }
    }

    /**
     * @param keyFile private key file (OpenSSH or PEM format, no passphrase)
     * @param hostKeys host key policy
     * @return the credentials
     */
    public static SshCredentials keyFile(Path keyFile, HostKeyPolicy hostKeys) {
        return new SshCredentials(keyFile, null, hostKeys);
    }

    /**
     * @param keyPair e.g. the pool's ephemeral ed25519 key
     * @param hostKeys host key policy, usually {@link HostKeyPolicy#pinnedFirstUse()} of the pool
     * @return the credentials
     */
    public static SshCredentials keyPair(KeyPair keyPair, HostKeyPolicy hostKeys) {
        return new SshCredentials(null, keyPair, hostKeys);
    }

    /** Where the key comes from, for messages. */
    public String keyDescription() {
        return keyFile != null ? "key " + keyFile : "the pool's ephemeral key";
    }
}
