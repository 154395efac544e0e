package dev.skyward.guard;

import dev.skyward.spi.OwnedInstance;
import dev.skyward.spi.Ownership;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether an instance found on a provider is still wanted, and whether the client that made it is
 * alive, judged from its {@link Ownership} tags and this machine's {@link Ledger}. Never guesses: a
 * client on another machine is {@link Client#UNKNOWN} (this machine cannot see its ledger), and its
 * pool is expired only when its hard end has passed.
 *
 * <pre>{@code
 * Standing s = Standing.of(instance, ledger, Instant.now());
 * if (s.expired()) { provider.terminate(instance.poolId()); }
 * System.out.println(s.client() + ": " + s.why());
 * }</pre>
 *
 * @param client whether the creating client is alive
 * @param expired whether the instance is no longer wanted
 * @param mine whether it was made by a client of this user on this machine
 * @param why a short explanation for people
 */
public record Standing(Client client, boolean expired, boolean mine, String why) {

    /** What is known of the creating client. */
    public enum Client {
        /** Its process runs and heart-beats its ledger entry. */
        ALIVE,
        /** It was on this machine and is gone (or frozen): no process, or an old heartbeat, or no entry. */
        DEAD,
        /** It is on another machine, or the instance carries no client tag. */
        UNKNOWN
    }

    /**
     * Judges one instance.
     *
     * @param i the instance
     * @param ledger this machine's ledger
     * @param now the time to judge at
     * @return the standing
     */
    public static Standing of(OwnedInstance i, Ledger ledger, Instant now) {
        Ownership o = i.ownership();
        if (o == null) {
            return new Standing(Client.UNKNOWN, false, false, "no client tag (made by an older Skyward)");
        }
        boolean mine = Ownership.machineOf(o.clientId()).equals(ClientId.machine());
        if (o.hardExpired(now)) {
            return new Standing(mine ? client(o, ledger, now) : Client.UNKNOWN, true, mine,
                    "lifetime ended " + ago(o.expires(), now));
        }
        if (!mine) {
            return new Standing(Client.UNKNOWN, false, false, "client on another machine ("
                    + Ownership.machineOf(o.clientId()) + ")" + (o.expires() != null ? ", ends in "
                    + human(Duration.between(now, o.expires())) : ", no lifetime set"));
        }
        Optional<LedgerEntry> entry = ledger.find(i.poolId()).filter(e -> e.clientId().equals(o.clientId()));
        if (entry.isPresent() && entry.get().clientAlive(now)) {
            return new Standing(Client.ALIVE, false, true, "client pid " + entry.get().pid() + " alive"
                    + (o.expires() != null ? ", ends in " + human(Duration.between(now, o.expires())) : ""));
        }
        long pid = pidOf(o.clientId());
        if (entry.isEmpty() && pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            // No entry here (another SKYWARD_HOME, or a pool being closed) but its process runs: do not call it dead.
            return new Standing(Client.ALIVE, false, true, "client pid " + pid + " alive (not in this ledger)");
        }
        Instant last = entry.map(LedgerEntry::heartbeat).orElse(o.created());
        Instant end = last.plus(o.lease());
        String gone = entry.isPresent() ? "client pid " + entry.get().pid() + " gone" : "client gone (no ledger entry)";
        if (!now.isBefore(end)) {
            return new Standing(Client.DEAD, true, true, gone + ", lease ran out " + ago(end, now));
        }
        return new Standing(Client.DEAD, false, true, gone + ", lease runs out in " + human(Duration.between(now, end)));
    }

    /** The pid in a client id {@code machine:pid:random}, or -1. */
    static long pidOf(String clientId) {
        String[] parts = clientId.split(":");
        try {
            return parts.length >= 2 ? Long.parseLong(parts[1]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Client client(Ownership o, Ledger ledger, Instant now) {
        return ledger.find(o.poolId()).filter(e -> e.clientId().equals(o.clientId()) && e.clientAlive(now))
                .isPresent() ? Client.ALIVE : Client.DEAD;
    }

    private static String ago(Instant t, Instant now) {
        return human(Duration.between(t, now)) + " ago";
    }

    /** {@code 42s}, {@code 5m}, {@code 3h12m}, {@code 2d4h}. */
    public static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 120) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m";
        }
        if (s < 86400) {
            return s / 3600 + "h" + (s % 3600) / 60 + "m";
        }
        return s / 86400 + "d" + (s % 86400) / 3600 + "h";
    }
}
