package dev.skyward.guard;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One open pool in the {@link Ledger}: written when {@code build()} starts, heart-beaten while the pool
 * is open, removed once it is closed and its resources are gone. An entry left behind is a client that
 * crashed or was killed: its pid is gone, or its heartbeat is old.
 *
 * @param poolId the pool
 * @param name the pool's name
 * @param providers the providers the pool may use, by name
 * @param clientId the client that opened it ({@link ClientId})
 * @param pid the client's process id
 * @param pidStarted when that process started (against pid reuse), or {@code null} when unknown
 * @param started when the pool started
 * @param expires the pool's hard end ({@code maxNodeLifetime}), or {@code null}
 * @param lease how long the pool's resources outlive the client's last heartbeat (its heartbeat grace)
 * @param heartbeat the client's last heartbeat
 * @param nodes the pool's instances once provisioned, as {@code provider/instance-id}
 */
public record LedgerEntry(String poolId, String name, List<String> providers, String clientId, long pid,
        Instant pidStarted, Instant started, Instant expires, Duration lease, Instant heartbeat, List<String> nodes) {

    /** How old a heartbeat may be for its client to count as alive (they are written every 10 s). */
    public static final Duration STALE = Duration.ofSeconds(60);

    /** Copies the lists. */
    public LedgerEntry {
        Objects.requireNonNull(poolId, "poolId");
        providers = List.copyOf(providers);
        nodes = List.copyOf(nodes);
    }

    /** The same entry, heart-beaten at {@code now}. */
    public LedgerEntry beat(Instant now) {
        return new LedgerEntry(poolId, name, providers, clientId, pid, pidStarted, started, expires, lease, now, nodes);
    }

    /** The same entry with the pool's instances. */
    public LedgerEntry withNodes(List<String> instances) {
        return new LedgerEntry(poolId, name, providers, clientId, pid, pidStarted, started, expires, lease, heartbeat,
                instances);
    }

    /**
     * Whether the client that wrote this entry is alive: its process exists (the same process: same
     * start time) and it heart-beat within {@link #STALE}. Only meaningful on the machine of the entry.
     *
     * @param now the time to judge at
     * @return alive or not
     */
    public boolean clientAlive(Instant now) {
        if (heartbeat == null || heartbeat.plus(STALE).isBefore(now)) {
            return false;
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(p -> pidStarted == null
                || p.info().startInstant().map(s -> Math.abs(Duration.between(s, pidStarted).toMillis()) < 2000)
                        .orElse(true)).orElse(false);
    }
}
