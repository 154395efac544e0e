package dev.skyward.offer;

import dev.skyward.Accelerator;
import dev.skyward.PoolConfigurationException;
import dev.skyward.PoolEvent;
import dev.skyward.ProvisioningException;
import dev.skyward.Selection;
import dev.skyward.spi.Instance;
import dev.skyward.spi.InstanceStatus;
import dev.skyward.spi.LaunchRequest;
import dev.skyward.spi.LiveCapacity;
import dev.skyward.spi.Offer;
import dev.skyward.spi.OfferQuery;
import dev.skyward.spi.PoolSpec;
import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderCheck;
import dev.skyward.spi.ProviderException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets a pool's instances: validates the accelerator, gathers the providers' offers, orders them by
 * the pool's {@link Selection}, and tries them one after another until one launches, without leaking
 * what a failed attempt created.
 *
 * <pre>{@code
 * Provisioned p = new Provisioner().provision(spec, poolId, sshPublicKey, events::publish);
 * // p.provider().name(), p.offer(), p.spot(), p.instances(), p.hourlyPrice()
 * }</pre>
 *
 * <p>Failover rules, per {@link ProviderException.Kind}:
 * <ul>
 *   <li>CAPACITY: skip this offer in this region (and zone) on this market;</li>
 *   <li>QUOTA: skip this provider's region;</li>
 *   <li>CREDENTIALS: skip the provider (as does a failed {@link Provider#check()} up front);</li>
 *   <li>TRANSIENT: retry the same offer with backoff, a bounded number of times, then skip it;</li>
 *   <li>FATAL, or any other exception: skip this offer.</li>
 * </ul>
 * After every failed launch it calls {@link Provider#terminate} for the pool and checks with
 * {@link Provider#describe} that nothing is left; if something is, it stops at once and says what.
 * The whole search is bounded by {@link PoolSpec#provisionTimeout()}.
 *
 * <p>Thread-safe; one instance can serve many pools.
 */
public final class Provisioner {

    private static final Logger LOG = LoggerFactory.getLogger(Provisioner.class);
    private static final int CLEANUP_ROUNDS = 3;

    private final int transientRetries;
    private final Duration backoff;

    /** Three retries of a transient error, waiting 2 s, 4 s, 8 s. */
    public Provisioner() {
        this(3, Duration.ofSeconds(2));
    }

    /**
     * @param transientRetries how often a transient error is retried on the same offer
     * @param backoff the first wait; it doubles with each retry (also the wait between cleanup checks)
     */
    public Provisioner(int transientRetries, Duration backoff) {
        if (transientRetries < 0) {
            throw new IllegalArgumentException("transientRetries must not be negative, was " + transientRetries);
        }
        this.transientRetries = transientRetries;
        this.backoff = Objects.requireNonNull(backoff, "backoff");
    }

    /**
     * Provisions the pool's nodes, within {@code spec.provisionTimeout()} from now.
     *
     * @param spec the pool settings; its providers in order of preference (the caller puts the local
     *     provider there when the user named none)
     * @param poolId the pool id every resource is tagged with
     * @param sshPublicKey the pool's public key, or {@code null}
     * @param events receives {@link PoolEvent.OfferChosen} and {@link PoolEvent.AttemptFailed}
     * @return what was launched
     * @throws PoolConfigurationException the accelerator is unknown or no offer matches the settings
     *     (nothing was started)
     * @throws ProvisioningException every matching offer failed, or the deadline passed; the message
     *     lists every attempt
     */
    public Provisioned provision(PoolSpec spec, String poolId, String sshPublicKey, Consumer<PoolEvent> events) {
        return provision(spec, poolId, sshPublicKey, events, Instant.now().plus(spec.provisionTimeout()));
    }

    /**
     * As {@link #provision(PoolSpec, String, String, Consumer)}, with an explicit deadline (for a
     * caller whose own deadline also covers starting the agents).
     *
     * @param spec the pool settings
     * @param poolId the pool id
     * @param sshPublicKey the pool's public key, or {@code null}
     * @param events receives offer events
     * @param deadline when to give up
     * @return what was launched
     */
    public Provisioned provision(PoolSpec spec, String poolId, String sshPublicKey, Consumer<PoolEvent> events,
            Instant deadline) {
        return new Run(spec, spec.providers(), poolId, sshPublicKey, events, deadline).go();
    }

    /**
     * As {@link #provision(PoolSpec, String, String, Consumer)}, with the providers given apart from
     * the spec (for a pool that substitutes the local provider when the user named none).
     *
     * @param spec the pool settings
     * @param providers the providers to use, in order of preference, instead of {@code spec.providers()}
     * @param poolId the pool id
     * @param sshPublicKey the pool's public key, or {@code null}
     * @param events receives offer events
     * @return what was launched
     */
    public Provisioned provision(PoolSpec spec, List<Provider> providers, String poolId, String sshPublicKey,
            Consumer<PoolEvent> events) {
        return provision(spec, providers, poolId, sshPublicKey, Map.of(), events);
    }

    /**
     * As {@link #provision(PoolSpec, List, String, String, Consumer)}, with tags for every resource the
     * providers create (the pool's {@link dev.skyward.spi.Ownership}: client id, expiry), besides the
     * pool's name.
     *
     * @param spec the pool settings
     * @param providers the providers to use, in order of preference
     * @param poolId the pool id
     * @param sshPublicKey the pool's public key, or {@code null}
     * @param tags tags for every resource, passed to {@link LaunchRequest#tags()}
     * @param events receives offer events
     * @return what was launched
     */
    public Provisioned provision(PoolSpec spec, List<Provider> providers, String poolId, String sshPublicKey,
            Map<String, String> tags, Consumer<PoolEvent> events) {
        Run run = new Run(spec, List.copyOf(providers), poolId, sshPublicKey, events,
                Instant.now().plus(spec.provisionTimeout()));
        run.tags.putAll(tags);
        return run.go();
    }

    /**
     * The launch request for {@code count} instances of an offer: the one place that says what a
     * pool's launches carry (tags), for the first provisioning and for the instances added later
     * (replacements, growth).
     *
     * @param spec the pool settings
     * @param poolId the pool id
     * @param offer the offer
     * @param count instances the pool should have (launch is idempotent)
     * @param spot whether on the spot market
     * @param sshPublicKey the pool's public key, or {@code null}
     * @param tags the pool's ownership tags (pool, client, expiry), beside its name
     * @return the request
     */
    public static LaunchRequest launchRequest(PoolSpec spec, String poolId, Offer offer, int count, boolean spot,
            String sshPublicKey, Map<String, String> tags) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("skyward-name", spec.name());
        all.putAll(tags);
        return new LaunchRequest(poolId, offer, count, spot, spec.image(), sshPublicKey, all);
    }

    /**
     * Waits until what a launch returned runs and can be reached, as after the first provisioning
     * (the caller bounds the wait by interrupting it).
     *
     * @param provider who launched
     * @param request the launch
     * @param launched what launch returned
     * @return the instances once ready
     * @throws InterruptedException when the caller's deadline interrupted the wait
     */
    public static List<Instance> awaitReady(Provider provider, LaunchRequest request, List<Instance> launched)
            throws InterruptedException {
        return Readiness.await(provider, request, launched);
    }

    /**
     * The normalized offer query a spec implies: the accelerator name checked and normalized
     * ({@code "nvidia_h100"} becomes {@code H100} with its memory). Call it to validate settings
     * before starting anything.
     *
     * @param spec the pool settings
     * @return the query
     * @throws UnknownAcceleratorException the accelerator name is unknown, with suggestions
     * @throws PoolConfigurationException the accelerator is malformed
     */
    public static OfferQuery query(PoolSpec spec) {
        return query(spec, AcceleratorNames.builtIn());
    }

    private static OfferQuery query(PoolSpec spec, AcceleratorNames names) {
        Accelerator acc = names.normalize(spec.accelerator());
        OfferQuery q = spec.offerQuery();
        return new OfferQuery(acc, q.nodes(), q.allocation(), q.minVcpus(), q.minMemoryGiB(), q.regions(),
                q.maxHourlyPrice());
    }

    /** The state of one provisioning run. */
    private final class Run {
        private final PoolSpec spec;
        private final List<Provider> providers;
        private final String poolId;
        private final String sshPublicKey;
        private final Consumer<PoolEvent> events;
        private final Instant deadline;
        private final List<Attempt> attempts = new ArrayList<>();
        private final Blocklist blocklist = new Blocklist();
        private final Map<String, String> listingErrors = new LinkedHashMap<>();
        private final Map<String, String> tags = new LinkedHashMap<>();
        private RuntimeException lastFailure;
        private boolean deadlineHit;

        Run(PoolSpec spec, List<Provider> providers, String poolId, String sshPublicKey, Consumer<PoolEvent> events,
                Instant deadline) {
            this.spec = spec;
            this.providers = providers;
            this.poolId = poolId;
            this.sshPublicKey = sshPublicKey;
            this.events = events;
            this.deadline = deadline;
            this.tags.put("skyward-name", spec.name());
        }

        Provisioned go() {
            if (providers.isEmpty()) {
                throw new PoolConfigurationException("no providers: pass at least one to provision");
            }
            OfferQuery query = normalizedQuery();
            Map<Offer, Provider> owner = new HashMap<>();
            List<Candidate> candidates = new ArrayList<>();
            for (Provider p : providers) {
                List<Offer> offers = offers(p, query);
                for (Offer o : offers) {
                    owner.putIfAbsent(o, p);
                }
                candidates.addAll(OfferSearch.candidates(offers, query, Set.of()));
            }
            if (candidates.isEmpty()) {
                throw new PoolConfigurationException(explainNoOffer(query));
            }
            checkCredentials(candidates, owner);
            List<Candidate> ordered = OfferSearch.order(candidates, spec.selection(), query,
                    liveCapacity(candidates, owner));
            LOG.debug("pool {}: {} candidates for {} ({} selection)", poolId, ordered.size(),
                    OfferSearch.describe(query), spec.selection());
            int skipped = 0;
            for (Candidate c : ordered) {
                String blocked = blocklist.blockedBy(c);
                if (blocked != null) {
                    LOG.debug("pool {}: skipping {}: {}", poolId, c, blocked);
                    skipped++;
                    continue;
                }
                if (!Instant.now().isBefore(deadline)) {
                    throw failure(query, "the provisioning deadline (" + spec.provisionTimeout() + ") passed", skipped);
                }
                Provisioned done = attempt(owner.get(c.offer()), c, query);
                if (done != null) {
                    return done;
                }
                if (deadlineHit) {
                    throw failure(query, "the provisioning deadline (" + spec.provisionTimeout() + ") passed", skipped);
                }
            }
            throw failure(query, "every matching offer failed", skipped);
        }

        private OfferQuery normalizedQuery() {
            try {
                return query(spec, AcceleratorNames.builtIn());
            } catch (UnknownAcceleratorException e) {
                // An override catalog may list a model this version does not know: accept its names too.
                List<Accelerator> offered = new ArrayList<>();
                for (Provider p : providers) {
                    offers(p, anything()).forEach(o -> offered.add(o.accelerator()));
                }
                return query(spec, AcceleratorNames.builtIn().withNames(offered));
            }
        }

        private OfferQuery anything() {
            return new OfferQuery(Accelerator.NONE, spec.nodes(), spec.allocation(), 0, 0, List.of(),
                    Double.POSITIVE_INFINITY);
        }

        private List<Offer> offers(Provider p, OfferQuery q) {
            try {
                List<Offer> offers = p.offers(q);
                return offers == null ? List.of() : offers;
            } catch (RuntimeException e) {
                LOG.warn("pool {}: {} could not list offers: {}", poolId, p.name(), e.toString());
                listingErrors.putIfAbsent(p.name(), e.getMessage() == null ? e.toString() : e.getMessage());
                return List.of();
            }
        }

        private String explainNoOffer(OfferQuery query) {
            List<Offer> all = new ArrayList<>();
            for (Provider p : providers) {
                all.addAll(offers(p, anything()));
            }
            StringBuilder msg = new StringBuilder(OfferSearch.explainEmpty(all, query, Set.of()));
            msg.append(" (asked for ").append(OfferSearch.describe(query)).append(" from ")
                    .append(String.join(", ", providers.stream().map(Provider::name).toList())).append(')');
            listingErrors.forEach((p, e) -> msg.append("; ").append(p).append(" could not list offers: ").append(e));
            if (query.accelerator().isPresent() && providers.stream().anyMatch(p -> p.name().equals("local"))) {
                msg.append("; the local provider has no accelerators unless told to emulate one: "
                        + "Local.builder().emulate(\"").append(query.accelerator()).append("\")");
            }
            return msg.toString();
        }

        private void checkCredentials(List<Candidate> candidates, Map<Offer, Provider> owner) {
            Map<Provider, Candidate> firstOf = new LinkedHashMap<>();
            for (Candidate c : candidates) {
                firstOf.putIfAbsent(owner.get(c.offer()), c);
            }
            firstOf.forEach((p, first) -> {
                ProviderCheck check;
                try {
                    check = p.check();
                } catch (RuntimeException e) {
                    check = ProviderCheck.missing(p.name(), "check failed: " + e);
                }
                if (!check.ok()) {
                    String reason = "credentials: " + check.message();
                    blocklist.blockProvider(p.name(), "credentials");
                    record(new Attempt(p.name(), null, spec.nodes(), reason), first.offer());
                }
            });
        }

        private Function<Candidate, Boolean> liveCapacity(List<Candidate> candidates,
                Map<Offer, Provider> owner) {
            if (spec.selection().rule() != Selection.Rule.AVAILABLE) {
                return c -> null;
            }
            Map<Provider, Map<Boolean, List<Offer>>> asks = new LinkedHashMap<>();
            for (Candidate c : candidates) {
                Provider p = owner.get(c.offer());
                if (p instanceof LiveCapacity && blocklist.blockedBy(c) == null) {
                    asks.computeIfAbsent(p, k -> new HashMap<>()).computeIfAbsent(c.spot(), k -> new ArrayList<>())
                            .add(c.offer());
                }
            }
            Map<Candidate, Boolean> known = new HashMap<>();
            asks.forEach((p, byMarket) -> byMarket.forEach((spot, offers) -> {
                try {
                    Map<Offer, Boolean> answer = ((LiveCapacity) p).capacity(offers, spot);
                    if (answer != null) {
                        answer.forEach((o, has) -> known.put(new Candidate(o, spot), has));
                    }
                } catch (RuntimeException e) {
                    // Not knowing capacity is no reason to fail: those offers keep their catalog order.
                    LOG.warn("pool {}: {} could not report capacity: {}", poolId, p.name(), e.toString());
                }
            }));
            return known::get;
        }

        /** Tries one candidate, with retries for transient errors; null when it failed. */
        private Provisioned attempt(Provider provider, Candidate c, OfferQuery query) {
            publish(new PoolEvent.OfferChosen(poolId, c.offer(), spec.nodes()));
            LOG.debug("pool {}: trying {} x{}", poolId, c, spec.nodes());
            LaunchRequest request = launchRequest(spec, poolId, c.offer(), spec.nodes(), c.spot(), sshPublicKey, tags);
            for (int tryNo = 1; ; tryNo++) {
                Instant launchedAt = Instant.now();
                Outcome outcome = launch(provider, request);
                if (outcome.instances != null) {
                    return new Provisioned(provider, c.offer(), c.spot(), outcome.instances, launchedAt);
                }
                Duration wait = backoff.multipliedBy(1L << Math.min(tryNo - 1, 20));
                boolean retry = outcome.kind == ProviderException.Kind.TRANSIENT && tryNo <= transientRetries
                        && Instant.now().plus(wait).isBefore(deadline) && !Thread.currentThread().isInterrupted();
                if (retry) {
                    LOG.info("pool {}: {} failed ({}); retry {} of {} in {}", poolId, c, outcome.reason, tryNo,
                            transientRetries, wait);
                    cleanUp(provider, c, query, outcome.kind);
                    if (sleep(wait)) {
                        continue;
                    }
                    outcome = new Outcome(null, ProviderException.Kind.FATAL, "interrupted", outcome.error);
                }
                String reason = outcome.reason;
                if (outcome.kind == ProviderException.Kind.TRANSIENT && tryNo > 1) {
                    reason += " (gave up after " + tryNo + " tries)";
                }
                // Record first, so the report shows the failure even when the cleanup after it fails.
                blocklist.block(outcome.kind, c, label(outcome.kind));
                record(new Attempt(provider.name(), c, spec.nodes(), reason), c.offer());
                lastFailure = outcome.error;
                deadlineHit |= outcome.deadline;
                if (!retry) {
                    cleanUp(provider, c, query, outcome.kind);
                }
                if (Thread.currentThread().isInterrupted() || "interrupted".equals(outcome.reason)) {
                    Thread.currentThread().interrupt();
                    throw failure(query, "provisioning was interrupted", 0);
                }
                return null;
            }
        }

        /** Calls launch on another thread, so the deadline holds even when the provider hangs. */
        private Outcome launch(Provider provider, LaunchRequest request) {
            ExecutorService executor = Executors.newSingleThreadExecutor(dev.skyward.wire.thread.DaemonThreads.named("skyward-launch-" + poolId));
            AtomicBoolean launched = new AtomicBoolean();
            Future<List<Instance>> future = executor.submit(() -> {
                List<Instance> instances = provider.launch(request);
                launched.set(true);
                return Readiness.await(provider, request, instances);
            });
            try {
                long millis = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
                List<Instance> instances = future.get(millis, TimeUnit.MILLISECONDS);
                long live = instances == null ? 0
                        : instances.stream().filter(i -> i.status() != InstanceStatus.TERMINATED
                                && i.status() != InstanceStatus.ERROR).count();
                if (live < request.count()) {
                    return new Outcome(null, ProviderException.Kind.FATAL, "error: launch returned " + live + " of "
                            + request.count() + " instances", null);
                }
                return new Outcome(instances, null, null, null);
            } catch (TimeoutException e) {
                future.cancel(true);
                Outcome o = new Outcome(null, ProviderException.Kind.FATAL, launched.get()
                        ? "deadline: instances not running with an SSH endpoint when the provisioning deadline passed"
                        : "deadline: launch still running when the provisioning deadline passed", null);
                o.deadline = true;
                return o;
            } catch (InterruptedException e) {
                future.cancel(true);
                Thread.currentThread().interrupt();
                return new Outcome(null, ProviderException.Kind.FATAL, "interrupted", null);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof ProviderException pe) {
                    return new Outcome(null, pe.kind(), label(pe.kind()) + ": " + pe.getMessage(), pe);
                }
                RuntimeException re = cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
                return new Outcome(null, ProviderException.Kind.FATAL, "error: " + cause, re);
            } finally {
                executor.shutdownNow();
            }
        }

        /**
         * Terminates whatever the pool has on this provider and checks that it is gone.
         *
         * @param failedWith how the attempt failed
         */
        private void cleanUp(Provider provider, Candidate c, OfferQuery query, ProviderException.Kind failedWith) {
            List<Instance> left = List.of();
            String problem = null;
            boolean interrupted = Thread.interrupted(); // cleanup must run even when we were interrupted
            try {
                for (int round = 1; round <= CLEANUP_ROUNDS; round++) {
                    try {
                        provider.terminate(poolId);
                        left = provider.describe(poolId).stream()
                                .filter(i -> i.status() != InstanceStatus.TERMINATED).toList();
                        problem = null;
                        if (left.isEmpty()) {
                            return;
                        }
                    } catch (RuntimeException e) {
                        problem = e.toString();
                        if (failedWith == ProviderException.Kind.CREDENTIALS && e instanceof ProviderException pe
                                && pe.kind() == ProviderException.Kind.CREDENTIALS) {
                            // The cloud refused these credentials for the launch and refuses them again for
                            // the cleanup: nothing was made with them, and no retry can clean up anything.
                            // The provider is blocked; the other providers still get their turn.
                            LOG.info("pool {}: {} refuses the credentials, so it has nothing of the pool to "
                                    + "clean up: {}", poolId, provider.name(), problem);
                            return;
                        }
                        LOG.warn("pool {}: cleaning up on {} failed (round {}): {}", poolId, provider.name(), round,
                                problem);
                    }
                    if (round < CLEANUP_ROUNDS) {
                        try {
                            Thread.sleep(backoff.toMillis());
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            String what = problem != null ? "could not terminate and verify (" + problem + ")"
                    : "instances still there after terminate: "
                            + left.stream().map(i -> i.id() + " " + i.status()).toList();
            String reason = "cleanup: " + what + "; terminate them by hand (they are tagged with pool id " + poolId
                    + ")";
            record(new Attempt(provider.name(), c, spec.nodes(), reason), c.offer());
            // Going on would risk leaking more: stop here and make the user look.
            throw failure(query, "cleaning up after a failed attempt on " + provider.name() + " failed", 0);
        }

        private boolean sleep(Duration d) {
            try {
                Thread.sleep(d.toMillis());
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        private void record(Attempt attempt, Offer offer) {
            attempts.add(attempt);
            LOG.warn("pool {}: {}", poolId, attempt.line());
            publish(new PoolEvent.AttemptFailed(poolId, offer, attempt.candidate() == null
                    ? attempt.provider() + ": " + attempt.reason() : attempt.reason()));
        }

        private void publish(PoolEvent event) {
            try {
                events.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("pool {}: an event listener failed on {}: {}", poolId, event, e.toString());
            }
        }

        private ProvisioningException failure(OfferQuery query, String why, int skipped) {
            List<String> lines = attempts.stream().map(Attempt::line).toList();
            StringBuilder msg = new StringBuilder("could not provision ").append(OfferSearch.describe(query))
                    .append(" (selection ").append(spec.selection()).append("): ").append(why).append("; ")
                    .append(lines.size()).append(lines.size() == 1 ? " attempt:" : " attempts:");
            for (int i = 0; i < lines.size(); i++) {
                msg.append("\n  ").append(i + 1).append(". ").append(lines.get(i));
            }
            if (skipped > 0) {
                msg.append("\n  (").append(skipped).append(skipped == 1 ? " more offer" : " more offers")
                        .append(" skipped: ruled out by the failures above)");
            }
            return new ProvisioningException(msg.toString(), lines, lastFailure);
        }
    }

    private static String label(ProviderException.Kind kind) {
        return switch (kind) {
            case CAPACITY -> "capacity";
            case QUOTA -> "quota";
            case CREDENTIALS -> "credentials";
            case TRANSIENT -> "transient";
            case FATAL -> "error";
        };
    }

    /** How one launch call ended: instances, or a classified failure. */
    private static final class Outcome {
        final List<Instance> instances;
        final ProviderException.Kind kind;
        final String reason;
        final RuntimeException error;
        boolean deadline;

        Outcome(List<Instance> instances, ProviderException.Kind kind, String reason, RuntimeException error) {
            this.instances = instances;
            this.kind = kind;
            this.reason = reason;
            this.error = error;
        }
    }
}
