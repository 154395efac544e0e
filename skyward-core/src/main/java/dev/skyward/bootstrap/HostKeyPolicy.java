package dev.skyward.bootstrap;

import java.nio.file.Path;

/**
 * Which host keys a connection accepts. Every SSH connection the bootstrap opens checks the host key
 * before it sends anything; a key that does not match is refused and never retried
 * ({@link HostKeyMismatchException}).
 *
 * <h2>The two policies</h2>
 * <ul>
 *   <li><b>{@link #knownHosts(Path)}</b>, for machines a team already owns (the {@code ssh} provider):
 *       the key must be in an OpenSSH {@code known_hosts} file ({@code [host]:port} entries for
 *       non-standard ports, hashed entries and {@code @revoked} markers honoured). An unknown host is
 *       refused with the command that adds it; a changed key is refused with both fingerprints. The
 *       file is only read, never written: trusting a new host is the user's decision.</li>
 *   <li><b>{@link #pinnedFirstUse()}</b>, for cloud instances a pool created itself moments ago: the
 *       first key a pool sees for an address is accepted and pinned, in memory, for the life of that
 *       pool (one policy object per pool). Every later connection to that address in the same pool —
 *       the second bootstrap connection, reconnections after a network drop, the final clean-up —
 *       must present the same key or is refused. Pins are never written to the user's
 *       {@code known_hosts} and never shared between pools, because cloud addresses are recycled and
 *       the next machine on the same address legitimately has another key. The window of trust is
 *       the first connection to a machine this process just asked the cloud to create; providers
 *       that can read the host key out of band (console output, metadata) should pre-pin it with
 *       {@link PinnedHostKeys#pin(String, int, String)} to close that window.</li>
 * </ul>
 *
 * <pre>{@code
 * HostKeyPolicy owned = HostKeyPolicy.knownHosts(Path.of(System.getProperty("user.home"), ".ssh/known_hosts"));
 * HostKeyPolicy cloud = HostKeyPolicy.pinnedFirstUse();   // one per pool
 * }</pre>
 */
public sealed interface HostKeyPolicy permits KnownHostsPolicy, PinnedHostKeys {

    /**
     * Keys must be listed in this OpenSSH known_hosts file.
     *
     * @param file the file, e.g. {@code ~/.ssh/known_hosts}
     * @return the policy
     */
    static HostKeyPolicy knownHosts(Path file) {
        return new KnownHostsPolicy(file);
    }

    /**
     * Trust on first use, pinned for one pool's life. Create one per pool and share it between all
     * of that pool's connections.
     *
     * @return a new, empty set of pins
     */
    static PinnedHostKeys pinnedFirstUse() {
        return new PinnedHostKeys();
    }

    /**
     * A verifier for one connection attempt; after a refused handshake
     * {@link HostKeyCheck#rejection()} says why.
     *
     * @param host address connected to
     * @param port port connected to
     * @return a fresh check
     */
    HostKeyCheck newCheck(String host, int port);
}
