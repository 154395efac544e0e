package dev.skyward.guard;

import dev.skyward.PoolEvent;
import dev.skyward.spi.OwnedInstance;
import dev.skyward.spi.Provider;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code build()} does before provisioning: lists the instances of the pool's providers (in
 * parallel, each bounded by a timeout; a provider that cannot be listed only warns), reports this
 * user's expired pools among them ({@link PoolEvent.ExpiredPoolsFound}, on the console), and with
 * {@code downExpired(true)} terminates them ({@link PoolEvent.ExpiredPoolTerminated}) and removes
 * their ledger entries. Pools of live clients and of clients on other machines are never touched
 * unless their hard end has passed and they are this user's.
 *
 * <pre>{@code
 * new ExpiredSweep(Ledger.standard(), Duration.ofSeconds(10)).run(poolId, providers, downExpired, events::publish);
 * }</pre>
 */
public final class ExpiredSweep {

    private static final Logger LOG = LoggerFactory.getLogger(ExpiredSweep.class);

    private final Ledger ledger;
    private final Duration listTimeout;
    private final Duration terminateTimeout;

    /**
     * @param ledger this machine's ledger
     * @param listTimeout the longest one provider's listing may take before it is given up on
     */
    public ExpiredSweep(Ledger ledger, Duration listTimeout) {
        this(ledger, listTimeout, Duration.ofMinutes(10));
    }

    ExpiredSweep(Ledger ledger, Duration listTimeout, Duration terminateTimeout) {
        this.ledger = ledger;
        this.listTimeout = listTimeout;
        this.terminateTimeout = terminateTimeout;
    }

    /**
     * Reports (and, when asked, terminates) this user's expired pools on these providers.
     *
     * @param poolId the pool being built (the events' pool)
     * @param providers the pool's providers
     * @param terminate whether to terminate what was found
     * @param events where the events go
     * @return the expired instances found
     */
    public List<OwnedInstance> run(String poolId, List<Provider> providers, boolean terminate,
            Consumer<PoolEvent> events) {
        ExecutorService workers = Executors.newCachedThreadPool(dev.skyward.wire.thread.DaemonThreads.named("skyward-sweep-" + poolId));
        try {
            Map<Provider, Future<Listing>> asks = new LinkedHashMap<>();
            for (Provider p : providers) {
                // A provider without credentials has nothing of this user's to list; the search reports it.
                asks.put(p, workers.submit(() -> p.check().ok() ? expired(p) : new Listing(List.of(), Set.of())));
            }
            long deadline = System.nanoTime() + listTimeout.toNanos();
            Map<Provider, List<OwnedInstance>> found = new LinkedHashMap<>();
            Map<String, Set<String>> listedPools = new LinkedHashMap<>();
            asks.forEach((p, f) -> {
                try {
                    Listing listing = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (p.check().ok()) {
                        listedPools.put(p.name(), listing.pools());
                    }
                    if (!listing.expired().isEmpty()) {
                        found.put(p, listing.expired());
                    }
                } catch (TimeoutException e) {
                    f.cancel(true);
                    LOG.warn("pool {}: listing {} for expired pools took over {} s; skipped", poolId, p.name(),
                            listTimeout.toSeconds());
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof UnsupportedOperationException || c instanceof dev.skyward.spi.ProviderException pe
                            && pe.kind() == dev.skyward.spi.ProviderException.Kind.CREDENTIALS) {
                        LOG.debug("pool {}: {}", poolId, c.getMessage());
                    } else {
                        LOG.warn("pool {}: could not list {} for expired pools: {}", poolId, p.name(), c.toString());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            prune(ledger, listedPools, poolId);
            List<OwnedInstance> all = found.values().stream().flatMap(List::stream).toList();
            if (all.isEmpty()) {
                return all;
            }
            events.accept(new PoolEvent.ExpiredPoolsFound(poolId, all, terminate));
            if (terminate) {
                terminate(poolId, found, events, workers);
            }
            return all;
        } finally {
            workers.shutdownNow();
        }
    }

    /** One provider's answer: this user's expired instances, and every pool it has instances of. */
    private record Listing(List<OwnedInstance> expired, Set<String> pools) {
    }

    private Listing expired(Provider p) {
        Instant now = Instant.now();
        List<OwnedInstance> out = new ArrayList<>();
        Set<String> pools = new java.util.HashSet<>();
        for (OwnedInstance i : p.ownedInstances()) {
            pools.add(i.poolId());
            Standing s = Standing.of(i, ledger, now);
            if (s.mine() && s.expired()) {
                out.add(i);
            }
        }
        return new Listing(out, pools);
    }

    /**
     * Removes the ledger entries of dead clients whose pools have nothing left: every provider the
     * entry names was listed and none has an instance of the pool (a crashed client's entry, after its
     * nodes ended themselves).
     *
     * @param ledger the ledger
     * @param listedPools per provider name that was listed, the pools it has instances of
     * @param except a pool to keep (the one being built)
     * @return the pools whose entries were removed
     */
    public static List<String> prune(Ledger ledger, Map<String, Set<String>> listedPools, String except) {
        Instant now = Instant.now();
        List<String> removed = new ArrayList<>();
        for (LedgerEntry e : ledger.entries()) {
            if (e.poolId().equals(except) || e.clientAlive(now) || e.providers().isEmpty()
                    || !listedPools.keySet().containsAll(e.providers())) {
                continue;
            }
            if (e.providers().stream().noneMatch(p -> listedPools.get(p).contains(e.poolId()))) {
                ledger.remove(e.poolId());
                removed.add(e.poolId());
                LOG.debug("removed the ledger entry of pool {}: its client is gone and so are its instances", e.poolId());
            }
        }
        return removed;
    }

    private void terminate(String poolId, Map<Provider, List<OwnedInstance>> found, Consumer<PoolEvent> events,
            ExecutorService workers) {
        List<Future<?>> jobs = new ArrayList<>();
        found.forEach((p, list) -> {
            Set<String> pools = new LinkedHashSet<>();
            list.forEach(i -> pools.add(i.poolId()));
            for (String pool : pools) {
                jobs.add(workers.submit(() -> {
                    String error = null;
                    try {
                        p.terminate(pool);
                        ledger.remove(pool);
                    } catch (RuntimeException e) {
                        error = e.getMessage() != null ? e.getMessage() : e.toString();
                        LOG.warn("pool {}: could not terminate expired pool {} on {}: {}", poolId, pool, p.name(), error);
                    }
                    events.accept(new PoolEvent.ExpiredPoolTerminated(poolId, p.name(), pool, error));
                }));
            }
        });
        long deadline = System.nanoTime() + terminateTimeout.toNanos();
        for (Future<?> f : jobs) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                LOG.warn("pool {}: terminating an expired pool takes over {}; going on", poolId, terminateTimeout);
                return;
            } catch (ExecutionException e) {
                LOG.warn("pool {}: terminating an expired pool failed: {}", poolId, e.getCause().toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
