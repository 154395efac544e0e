package dev.skyward.guard;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
    // Jackson's streaming layer, not an ObjectMapper: building a mapper costs ~200 ms of a cold start,
    // before the first machine can be asked for, for eleven fields.
    private static final JsonFactory JSON = JsonFactory.builder().build();
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
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + safe(e.poolId()), ".tmp");
            try {
                try (JsonGenerator g = JSON.createGenerator(Files.newOutputStream(tmp))) {
                    g.useDefaultPrettyPrinter();
                    writeEntry(g, e);
                }
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

    private static void writeEntry(JsonGenerator g, LedgerEntry e) throws IOException {
        g.writeStartObject();
        g.writeStringField("poolId", e.poolId());
        g.writeStringField("name", e.name());
        writeStrings(g, "providers", e.providers());
        g.writeStringField("clientId", e.clientId());
        g.writeNumberField("pid", e.pid());
        writeInstant(g, "pidStarted", e.pidStarted());
        writeInstant(g, "started", e.started());
        writeInstant(g, "expires", e.expires());
        g.writeNumberField("leaseSeconds", e.lease() == null ? 0 : e.lease().toSeconds());
        writeInstant(g, "heartbeat", e.heartbeat());
        writeStrings(g, "nodes", e.nodes());
        g.writeEndObject();
    }

    private static void writeStrings(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    private static void writeInstant(JsonGenerator g, String field, Instant t) throws IOException {
        if (t == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, t.toString());
        }
    }

    private Optional<LedgerEntry> read(Path f) {
        try (JsonParser p = JSON.createParser(Files.readAllBytes(f))) {
            return Optional.of(readEntry(p));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.warn("skipping unreadable pool ledger entry {}: {}", f, e.toString());
            return Optional.empty();
        }
    }

    /** Reads the fields it knows, skips others (a newer version's), and fails on anything but an object. */
    private static LedgerEntry readEntry(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new IOException("not a JSON object");
        }
        String poolId = null;
        String name = "";
        String clientId = "";
        long pid = -1;
        long leaseSeconds = 0;
        Instant pidStarted = null;
        Instant started = null;
        Instant expires = null;
        Instant heartbeat = null;
        List<String> providers = new ArrayList<>();
        List<String> nodes = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "poolId" -> poolId = p.getValueAsString();
                case "name" -> name = p.getValueAsString("");
                case "clientId" -> clientId = p.getValueAsString("");
                case "pid" -> pid = p.getValueAsLong(-1);
                case "leaseSeconds" -> leaseSeconds = p.getValueAsLong(0);
                case "pidStarted" -> pidStarted = instant(p, value);
                case "started" -> started = instant(p, value);
                case "expires" -> expires = instant(p, value);
                case "heartbeat" -> heartbeat = instant(p, value);
                case "providers" -> readStrings(p, value, providers);
                case "nodes" -> readStrings(p, value, nodes);
                default -> p.skipChildren();
            }
        }
        if (poolId == null) {
            throw new IOException("no poolId");
        }
        return new LedgerEntry(poolId, name, providers, clientId, pid, pidStarted, started, expires,
                Duration.ofSeconds(leaseSeconds), heartbeat, nodes);
    }

    private static void readStrings(JsonParser p, JsonToken value, List<String> into) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                into.add(p.getText());
            } else {
                p.skipChildren();
            }
        }
    }

    private static Instant instant(JsonParser p, JsonToken value) throws IOException {
        return value == JsonToken.VALUE_STRING ? Instant.parse(p.getText()) : null;
    }

    private Path file(String poolId) {
        return dir.resolve(safe(poolId) + ".json");
    }

    private static String safe(String poolId) {
        return poolId.replaceAll("[^A-Za-z0-9._-]", "_");
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
