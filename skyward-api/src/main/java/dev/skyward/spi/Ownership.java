package dev.skyward.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Who made a resource and until when it is wanted: what every resource a pool creates carries in its
 * tags or labels (or, where a provider has none, its description), so that {@code skyward status},
 * {@code skyward down --expired} and the next {@code build()} can tell a forgotten machine from a
 * working one without asking the client that made it.
 *
 * <pre>{@code
 * // the engine fills LaunchRequest.tags() with these; a provider stores them as it can:
 * Map<String, String> tags = ownership.toTags();     // skyward-pool, skyward-client, skyward-created, ...
 * Ownership back = Ownership.fromTags(tags).orElseThrow();
 * }</pre>
 *
 * <p>Expiry comes in two kinds, because a pool with no lifetime cap has no end time known in advance:
 * <ul>
 *   <li>{@link #expires()}: a hard end ({@code ComputePool.Builder.maxNodeLifetime}); past it the
 *       resource is unwanted whoever asks;</li>
 *   <li>{@link #lease()}: the resource is wanted while its client renews its lease, i.e. while the
 *       client's entry in the local ledger ({@code ~/.skyward/pools/}) is heart-beaten; once the client
 *       has been silent for longer than the lease (its heartbeat grace: its nodes' agents give up after
 *       the same time), it is unwanted. Only the client's own machine can see that ledger: elsewhere such
 *       a resource is reported as "client unknown", never as expired.</li>
 * </ul>
 *
 * @param poolId the pool
 * @param clientId the creating client (see {@link #machineOf(String)}); charset {@code [A-Za-z0-9_:-]}
 * @param created when the pool started
 * @param expires the hard end, or {@code null} when the pool has none
 * @param lease how long the resource outlives its client's last heartbeat
 */
public record Ownership(String poolId, String clientId, Instant created, Instant expires, Duration lease) {

    /** The pool's id. AWS uses it as the pool tag; other providers name the pool tag their own way. */
    public static final String POOL = "skyward-pool";
    /** The client's id. */
    public static final String CLIENT = "skyward-client";
    /** When the pool started, in epoch seconds. */
    public static final String CREATED = "skyward-created";
    /** The hard end, in epoch seconds; absent when the pool has none. */
    public static final String EXPIRES = "skyward-expires";
    /** The lease, in seconds. */
    public static final String LEASE = "skyward-lease";

    /** Checks the fields. */
    public Ownership {
        Objects.requireNonNull(poolId, "poolId");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(lease, "lease");
        created = Instant.ofEpochSecond(created.getEpochSecond());
        expires = expires == null ? null : Instant.ofEpochSecond(expires.getEpochSecond());
    }

    /**
     * The tags that say all of this (values safe for AWS tags, DigitalOcean tags and text fields).
     *
     * @return tag name to value, in a fixed order
     */
    public Map<String, String> toTags() {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(POOL, poolId);
        tags.put(CLIENT, clientId);
        tags.put(CREATED, Long.toString(created.getEpochSecond()));
        if (expires != null) {
            tags.put(EXPIRES, Long.toString(expires.getEpochSecond()));
        }
        tags.put(LEASE, Long.toString(lease.toSeconds()));
        return tags;
    }

    /**
     * Reads the tags back; a resource without a client tag (made before these tags existed) has none.
     *
     * @param tags a resource's tags
     * @return its ownership, when the pool and client tags are there
     */
    public static Optional<Ownership> fromTags(Map<String, String> tags) {
        String pool = tags.get(POOL);
        String client = tags.get(CLIENT);
        if (pool == null || client == null) {
            return Optional.empty();
        }
        Instant created = epoch(tags.get(CREATED));
        Instant expires = epoch(tags.get(EXPIRES));
        Long lease = number(tags.get(LEASE));
        return Optional.of(new Ownership(pool, client, created != null ? created : Instant.EPOCH, expires,
                Duration.ofSeconds(lease != null ? lease : 0)));
    }

    /** The same ownership for another pool id (a provider that found the pool id elsewhere). */
    public Ownership withPoolId(String id) {
        return new Ownership(id, clientId, created, expires, lease);
    }

    /**
     * The machine part of a client id: clients on one machine (one user on one host) share it, so
     * "this user's pools" are those whose client id has this machine's part.
     *
     * @param clientId a client id, {@code <user>-<host>:<pid>:<random>}
     * @return the part before the first {@code :}
     */
    public static String machineOf(String clientId) {
        int colon = clientId.indexOf(':');
        return colon < 0 ? clientId : clientId.substring(0, colon);
    }

    /** Whether the hard end has passed at {@code now}. */
    public boolean hardExpired(Instant now) {
        return expires != null && !now.isBefore(expires);
    }

    private static Instant epoch(String s) {
        Long n = number(s);
        return n == null ? null : Instant.ofEpochSecond(n);
    }

    private static Long number(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
