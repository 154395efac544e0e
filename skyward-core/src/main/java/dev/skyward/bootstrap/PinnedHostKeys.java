package dev.skyward.bootstrap;

import java.security.PublicKey;
import java.util.List;
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
