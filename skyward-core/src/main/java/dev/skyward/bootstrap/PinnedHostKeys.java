package dev.skyward.bootstrap;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Trust on first use, pinned for one pool's life: the first key seen for an address is kept (in
 * memory only) and every later connection must present it. The full policy is on
 * {@link HostKeyPolicy}.
 *
 * <pre>{@code
 * PinnedHostKeys pins = HostKeyPolicy.pinnedFirstUse();   // one per pool
 * pins.pin("10.0.0.5", 22, "SHA256:...");                 // optional: key read out of band
 * }</pre>
 */
public final class PinnedHostKeys implements HostKeyPolicy {

    private final Map<String, String> pins = new ConcurrentHashMap<>();
    /** Host keys a provider reported before the first connection: only these are accepted there. */
    private final Map<String, Set<String>> expected = new ConcurrentHashMap<>();

    PinnedHostKeys() {
    }

    /**
     * Pins a key learned out of band (e.g. from the instance's console output) before the first connection.
     *
     * @param host address
     * @param port SSH port
     * @param fingerprint {@code SHA256:...} as {@link HostKeyCheck#fingerprint} computes it
     */
    public void pin(String host, int port, String fingerprint) {
        pins.put(HostKeyCheck.hostPort(host, port), fingerprint);
    }

    /**
     * Accepts at this address only the host keys the provider reported out of band (one of them is
     * enough: the server picks which it presents), instead of trusting the first key seen.
     *
     * @param host address
     * @param port SSH port
     * @param openSshKeys public key lines, {@code "ssh-ed25519 AAAA... [comment]"}
     */
    public void expect(String host, int port, List<String> openSshKeys) {
        Set<String> fingerprints = new HashSet<>();
        for (String line : openSshKeys) {
            fingerprints.add(fingerprintOf(line));
        }
        expected.put(HostKeyCheck.hostPort(host, port), Set.copyOf(fingerprints));
    }

    /** The OpenSSH fingerprint of a public key line: SHA-256 of its key blob, base64 without padding. */
    static String fingerprintOf(String openSshKey) {
        String[] parts = openSshKey.trim().split("\\s+");
        if (parts.length < 2) {
            throw new IllegalArgumentException("not an OpenSSH public key line: '" + openSshKey + "'");
        }
        try {
            byte[] blob = Base64.getDecoder().decode(parts[1]);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (IllegalArgumentException | NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("not an OpenSSH public key line: '" + openSshKey + "': "
                    + e.getMessage(), e);
        }
    }

    /**
     * The pinned fingerprint of an address.
     *
     * @param host address
     * @param port SSH port
     * @return the fingerprint, or {@code null} before the first connection
     */
    public String pinned(String host, int port) {
        return pins.get(HostKeyCheck.hostPort(host, port));
    }

    @Override
    public HostKeyCheck newCheck(String host, int port) {
        return new HostKeyCheck() {
            @Override
            public boolean verify(String hostname, int p, PublicKey key) {
                String hp = HostKeyCheck.hostPort(hostname, p);
                String presented = fingerprint(key);
                Set<String> known = expected.get(hp);
                if (known != null && !known.contains(presented)) {
                    return refuse(Rejection.CHANGED, "HOST KEY MISMATCH: " + hp + " presented " + presented
                            + " but the provider reported " + known + " for this machine. Refusing to connect: "
                            + "the address belongs to another machine, or someone is intercepting the connection");
                }
                String pinned = pins.putIfAbsent(hp, presented);
                if (pinned == null || pinned.equals(presented)) {
                    return true;
                }
                return refuse(Rejection.CHANGED, "HOST KEY MISMATCH: " + hp + " presented " + presented
                        + " but this pool pinned " + pinned + " when it first connected. Refusing to connect: "
                        + "the address now belongs to another machine, or someone is intercepting the connection");
            }

            @Override
            public List<String> findExistingAlgorithms(String hostname, int p) {
                return List.of();
            }
        };
    }
}
