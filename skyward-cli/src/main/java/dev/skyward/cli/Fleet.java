package dev.skyward.cli;

import dev.skyward.guard.Ledger;
import dev.skyward.guard.LedgerEntry;
import dev.skyward.guard.Standing;
import dev.skyward.spi.OwnedInstance;
import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderDescriptor;
import dev.skyward.spi.ProviderDescriptors;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every Skyward instance on every configured provider (a provider module on the classpath whose
 * credentials are found), listed in parallel, with each one's {@link Standing}; plus this machine's
 * ledger. What {@code skyward status} shows and {@code skyward down} acts on.
 */
final class Fleet {

    /** One instance and how it stands. */
    record Row(Provider provider, OwnedInstance instance, Standing standing) {
    }

    final Map<String, Provider> providers;
    final List<Row> rows;
    /** Provider name to why it could not be listed. */
    final Map<String, String> failures;
    /** Provider name to why it was left out (cannot list, or could not be configured). */
    final Map<String, String> skipped;
    final List<LedgerEntry> ledger;
    final Instant now;

    private Fleet(Map<String, Provider> providers, List<Row> rows, Map<String, String> failures,
            Map<String, String> skipped, List<LedgerEntry> ledger, Instant now) {
        this.providers = providers;
        this.rows = rows;
        this.failures = failures;
        this.skipped = skipped;
        this.ledger = ledger;
        this.now = now;
    }

    /**
     * Lists the providers named (all configured ones when empty).
     *
     * @param names provider names, or empty
     * @param timeout the longest one provider's listing may take
     * @return the fleet
     */
    static Fleet list(List<String> names, Duration timeout) {
        Map<String, Provider> providers = new LinkedHashMap<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        List<ProviderDescriptor> descriptors = names.isEmpty() ? ProviderDescriptors.all()
                : names.stream().map(String::trim).map(ProviderDescriptors::find).toList();
        for (ProviderDescriptor d : descriptors) {
            if (!d.check().ok()) {
                if (!names.isEmpty()) {
                    skipped.put(d.name(), "no credentials: " + d.check().message());
                }
                continue;
            }
            try {
                providers.put(d.name(), d.create());
            } catch (RuntimeException e) {
                skipped.put(d.name(), "cannot be configured: " + e.getMessage());
            }
        }
        Ledger ledger = Ledger.standard();
        Map<String, String> failures = new LinkedHashMap<>();
        List<Row> rows = new ArrayList<>();
        ExecutorService workers = Executors.newCachedThreadPool(dev.skyward.wire.thread.DaemonThreads.named("skyward-list"));
        try {
            Map<String, Future<List<OwnedInstance>>> asks = new LinkedHashMap<>();
            providers.forEach((name, p) -> asks.put(name, workers.submit(p::ownedInstances)));
            long deadline = System.nanoTime() + timeout.toNanos();
            Instant now = Instant.now();
            asks.forEach((name, f) -> {
                try {
                    for (OwnedInstance i : f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        rows.add(new Row(providers.get(name), i, Standing.of(i, ledger, now)));
                    }
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UnsupportedOperationException u) {
                        skipped.put(name, u.getMessage());
                    } else {
                        failures.put(name, String.valueOf(e.getCause().getMessage()));
                    }
                } catch (TimeoutException e) {
                    f.cancel(true);
                    failures.put(name, "no answer within " + timeout.toSeconds() + " s");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failures.put(name, "interrupted");
                }
            });
            skipped.keySet().forEach(providers::remove);
            return new Fleet(providers, rows, failures, skipped, ledger.entries(), now);
        } finally {
            workers.shutdownNow();
        }
    }

    /** The pools found, in order of first appearance, each with its provider names. */
    Map<String, Set<String>> pools() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        rows.forEach(r -> out.computeIfAbsent(r.instance().poolId(), k -> new LinkedHashSet<>())
                .add(r.provider().name()));
        return out;
    }

    /** Per provider name that was listed, the pools it has instances of (for pruning the ledger). */
    Map<String, Set<String>> listedPools() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        providers.keySet().stream().filter(n -> !failures.containsKey(n)).forEach(n -> out.put(n, new LinkedHashSet<>()));
        rows.forEach(r -> out.computeIfPresent(r.provider().name(), (k, v) -> {
            v.add(r.instance().poolId());
            return v;
        }));
        return out;
    }

    static String price(double usd) {
        return Double.isNaN(usd) ? "?" : String.format(Locale.ROOT, "%.2f", usd);
    }
}
