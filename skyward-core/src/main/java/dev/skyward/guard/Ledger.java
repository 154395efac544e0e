package dev.skyward.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local ledger of open pools: one small JSON file per pool in {@code <skyward home>/pools/}
 * ({@link SkywardHome}), written when a pool starts building, heart-beaten every 10 s while it is open
 * and removed when it is closed. One file per pool, each written whole to a temporary file and moved
 * into place, so concurrent pools (in one JVM or many) never see each other's half-written state. A
 * crashed client leaves its file behind with a dead pid and a heartbeat that ages:
 * {@link LedgerEntry#clientAlive} says so.
 *
 * <pre>{@code
 * Ledger ledger = Ledger.standard();
 * try (Ledger.Lease lease = ledger.open(entry)) {   // renewed in the background
 *     lease.nodes(List.of("aws/us-east-1/i-0abc"));
 * }                                                  // removed
 * ledger.entries().forEach(e -> System.out.println(e.poolId() + " " + e.clientAlive(Instant.now())));
 * }</pre>
 */
public final class Ledger {

    /** How often an open pool's entry is heart-beaten. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(Ledger.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ScheduledExecutorService RENEWALS = Executors.newSingleThreadScheduledExecutor(dev.skyward.wire.thread.DaemonThreads.named("skyward-ledger"));

    private final Path dir;

    /** @param dir the directory holding the entries (created when the first one is written) */
    public Ledger(Path dir) {
        this.dir = dir;
    }

    /** The ledger in {@code <skyward home>/pools}. */
    public static Ledger standard() {
        return new Ledger(SkywardHome.dir().resolve("pools"));
    }

    /** Where the entries are. */
    public Path dir() {
        return dir;
    }

    /**
     * Writes a pool's entry and keeps heart-beating it until the lease is closed.
     *
     * @param entry the pool
     * @return the lease; closing it removes the entry
     */
    public Lease open(LedgerEntry entry) {
        write(entry);
        return new Lease(entry);
    }

    /** Every entry, by start time; unreadable files are skipped with a warning. */
    public List<LedgerEntry> entries() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<LedgerEntry> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                read(f).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the pool ledger " + dir + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing(LedgerEntry::started, Comparator.nullsFirst(Comparator.naturalOrder())));
        return out;
    }

    /** The entry of a pool, if the ledger has one. */
    public Optional<LedgerEntry> find(String poolId) {
        return read(file(poolId));
    }

    /** Removes a pool's entry (after the pool's resources are gone); no entry is fine. */
    public void remove(String poolId) {
        try {
            Files.deleteIfExists(file(poolId));
        } catch (IOException e) {
            LOG.warn("cannot remove the ledger entry of pool {}: {}", poolId, e.toString());
        }
    }

    void write(LedgerEntry e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("poolId", e.poolId());
        n.put("name", e.name());
        e.providers().forEach(n.putArray("providers")::add);
        n.put("clientId", e.clientId());
        n.put("pid", e.pid());
        putInstant(n, "pidStarted", e.pidStarted());
        putInstant(n, "started", e.started());
        putInstant(n, "expires", e.expires());
        n.put("leaseSeconds", e.lease() == null ? 0 : e.lease().toSeconds());
        putInstant(n, "heartbeat", e.heartbeat());
        e.nodes().forEach(n.putArray("nodes")::add);
        if (!n.has("nodes")) {
            n.putArray("nodes");
        }
        if (!n.has("providers")) {
            n.putArray("providers");
        }
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + safe(e.poolId()), ".tmp");
            try {
                Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
                try {
                    Files.move(tmp, file(e.poolId()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException x) {
                    Files.move(tmp, file(e.poolId()), StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException x) {
            throw new UncheckedIOException("cannot write the pool ledger entry in " + dir + ": " + x.getMessage()
                    + " (set " + SkywardHome.ENV + " to a writable directory)", x);
        }
    }

    private Optional<LedgerEntry> read(Path f) {
        try {
            JsonNode n = JSON.readTree(Files.readAllBytes(f));
            List<String> providers = new ArrayList<>();
            n.path("providers").forEach(p -> providers.add(p.asText()));
            List<String> nodes = new ArrayList<>();
            n.path("nodes").forEach(p -> nodes.add(p.asText()));
            return Optional.of(new LedgerEntry(n.path("poolId").asText(), n.path("name").asText(""), providers,
                    n.path("clientId").asText(""), n.path("pid").asLong(-1), instant(n, "pidStarted"),
                    instant(n, "started"), instant(n, "expires"), Duration.ofSeconds(n.path("leaseSeconds").asLong(0)),
                    instant(n, "heartbeat"), nodes));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.warn("skipping unreadable pool ledger entry {}: {}", f, e.toString());
            return Optional.empty();
        }
    }

    private Path file(String poolId) {
        return dir.resolve(safe(poolId) + ".json");
    }

    private static String safe(String poolId) {
        return poolId.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static void putInstant(ObjectNode n, String field, Instant t) {
        if (t == null) {
            n.putNull(field);
        } else {
            n.put(field, t.toString());
        }
    }

    private static Instant instant(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isTextual() ? Instant.parse(v.asText()) : null;
    }

    /** An open pool's entry, heart-beaten until closed. */
    public final class Lease implements AutoCloseable {
        private LedgerEntry entry;
        private final ScheduledFuture<?> renewal;
        private boolean closed;

        private Lease(LedgerEntry entry) {
            this.entry = entry;
            this.renewal = RENEWALS.scheduleWithFixedDelay(this::beat, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(),
                    TimeUnit.MILLISECONDS);
        }

        /** Records the pool's instances. */
        public synchronized void nodes(List<String> instances) {
            if (!closed) {
                entry = entry.withNodes(instances).beat(Instant.now());
                write(entry);
            }
        }

        private synchronized void beat() {
            if (closed) {
                return;
            }
            try {
                entry = entry.beat(Instant.now());
                write(entry);
            } catch (RuntimeException e) {
                LOG.warn("pool {}: ledger heartbeat failed: {}", entry.poolId(), e.toString());
            }
        }

        /**
         * Stops heart-beating but keeps the entry: the pool's client gave up on resources it could not
         * remove, and its aging heartbeat lets {@code skyward status} and {@code down --expired} find them.
         */
        public synchronized void abandon() {
            closed = true;
            renewal.cancel(false);
        }

        /** Stops heart-beating and removes the entry. */
        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                renewal.cancel(false);
                remove(entry.poolId());
            }
        }
    }
}
