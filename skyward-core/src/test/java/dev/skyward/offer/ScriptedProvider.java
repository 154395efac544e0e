package dev.skyward.offer;

import dev.skyward.Accelerator;
import dev.skyward.spi.Instance;
import dev.skyward.spi.InstanceStatus;
import dev.skyward.spi.LaunchRequest;
import dev.skyward.spi.Offer;
import dev.skyward.spi.OfferQuery;
import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderCheck;
import dev.skyward.spi.ProviderException;
import dev.skyward.spi.SshEndpoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider whose launches follow a script, for failover tests. It keeps its "instances" in memory
 * like a cloud would: launch creates them one by one (a scripted failure can strike after some were
 * created), terminate removes the pool's, describe lists what is live.
 *
 * <pre>{@code
 * var a = new ScriptedProvider("a").offer("big", "H100", 8, "r1", 20.0)
 *         .onLaunch("big@r1", Step.failAfter(1, Kind.CAPACITY, "InsufficientInstanceCapacity"));
 * }</pre>
 */
public final class ScriptedProvider implements Provider {

    /** What one launch call does. */
    public record Step(int create, ProviderException.Kind kind, String message, RuntimeException other,
            long hangMillis) {

        /** Create every instance asked for. */
        public static Step succeed() {
            return new Step(-1, null, null, null, 0);
        }

        /** Throw at once, creating nothing. */
        public static Step fail(ProviderException.Kind kind, String message) {
            return new Step(0, kind, message, null, 0);
        }

        /** Create {@code n} instances, then throw. */
        public static Step failAfter(int n, ProviderException.Kind kind, String message) {
            return new Step(n, kind, message, null, 0);
        }

        /** Throw an unclassified exception after creating {@code n} instances. */
        public static Step crashAfter(int n, RuntimeException e) {
            return new Step(n, null, null, e, 0);
        }

        /** Create only {@code n} instances and return them as if that were all. */
        public static Step returnOnly(int n) {
            return new Step(n, null, null, null, 0);
        }

        /** Create {@code n} instances, then block this long (or until interrupted). */
        public static Step hang(int n, long millis) {
            return new Step(n, null, null, null, millis);
        }
    }

    private final String name;
    private final List<Offer> offers = new ArrayList<>();
    private final Map<String, Deque<Step>> script = new HashMap<>();
    private final Map<String, Instance> live = new LinkedHashMap<>();
    private final List<String> launches = new ArrayList<>();
    private final AtomicInteger created = new AtomicInteger();
    private final AtomicInteger ids = new AtomicInteger();
    private ProviderCheck check;
    private boolean terminateLeaves;
    private Map<String, Boolean> capacity;
    private int pendingDescribes;
    private InstanceStatus bootsInto = InstanceStatus.RUNNING;
    private final Map<String, Integer> describesSeen = new HashMap<>();

    /** @param name provider name */
    public ScriptedProvider(String name) {
        this.name = name;
        this.check = ProviderCheck.ok(name, "test");
    }

    /** Adds an offer (on-demand only). */
    public ScriptedProvider offer(String type, String acc, int count, String region, double price) {
        return offer(type, acc, count, region, price, Double.NaN);
    }

    /** Adds an offer with a spot price. */
    public ScriptedProvider offer(String type, String acc, int count, String region, double price, double spot) {
        Accelerator a = acc == null ? Accelerator.NONE : Accelerator.of(acc, count, 80);
        offers.add(new Offer(name, type, a, 16, 64, region, "", price, spot, "x86_64"));
        return this;
    }

    /**
     * Scripts the next launches of an offer.
     *
     * @param key {@code type@region}, or {@code type@region/spot} for spot launches only
     * @param steps one per launch call, in order; after them every launch succeeds
     */
    public ScriptedProvider onLaunch(String key, Step... steps) {
        script.computeIfAbsent(key, k -> new ArrayDeque<>()).addAll(List.of(steps));
        return this;
    }

    /** Makes {@link #check()} fail with this message. */
    public ScriptedProvider failCheck(String message) {
        this.check = ProviderCheck.missing(name, message);
        return this;
    }

    /** Makes terminate do nothing, so instances stay (a leak the provisioner must notice). */
    public ScriptedProvider terminateLeaves() {
        this.terminateLeaves = true;
        return this;
    }

    /**
     * Makes launched instances boot like a cloud's: launch returns them PENDING without an address,
     * and describe reports them PENDING this many times before they turn {@code into}.
     *
     * @param describes how many describe calls see an instance still pending
     * @param into RUNNING (with an SSH endpoint), or a failure such as NO_CAPACITY or ERROR
     */
    public synchronized ScriptedProvider boots(int describes, InstanceStatus into) {
        this.pendingDescribes = describes;
        this.bootsInto = into;
        return this;
    }

    /** Makes this provider report live capacity: {@code type@region} to available or not. */
    public ScriptedProvider capacity(Map<String, Boolean> byKey) {
        this.capacity = byKey;
        return this;
    }

    /** Every launch call, as {@code type@region} plus {@code /spot} for spot. */
    public synchronized List<String> launches() {
        return List.copyOf(launches);
    }

    /** Instances created and not terminated. */
    public synchronized List<Instance> liveInstances() {
        return List.copyOf(live.values());
    }

    /** How many instances were ever created. */
    public int createdCount() {
        return created.get();
    }

    /** This provider's offers. */
    public List<Offer> offers() {
        return List.copyOf(offers);
    }

    /** This provider with live capacity reporting, as the optional capability. */
    public Provider withLiveCapacity() {
        return new CapacityReporting(this);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ProviderCheck check() {
        return check;
    }

    @Override
    public List<Offer> offers(OfferQuery query) {
        return offers;
    }

    @Override
    public List<Instance> launch(LaunchRequest request) {
        Offer o = request.offer();
        String key = o.instanceType() + "@" + o.region();
        Step step;
        synchronized (this) {
            launches.add(key + (request.spot() ? "/spot" : ""));
            Deque<Step> q = request.spot() && script.containsKey(key + "/spot") ? script.get(key + "/spot")
                    : script.get(key);
            step = q == null || q.isEmpty() ? Step.succeed() : q.poll();
        }
        int n = step.create() < 0 ? request.count() : Math.min(step.create(), request.count());
        List<Instance> mine = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            mine.add(create(request, i));
        }
        if (step.hangMillis() > 0) {
            try {
                Thread.sleep(step.hangMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProviderException(ProviderException.Kind.TRANSIENT, "interrupted while waiting");
            }
        }
        if (step.kind() != null) {
            throw new ProviderException(step.kind(), step.message());
        }
        if (step.other() != null) {
            throw step.other();
        }
        return mine;
    }

    private synchronized Instance create(LaunchRequest request, int index) {
        String id = name + "-" + ids.incrementAndGet();
        boolean booting = pendingDescribes > 0 || bootsInto != InstanceStatus.RUNNING;
        Instance inst = booting ? new Instance(id, name, request.poolId(), index, InstanceStatus.PENDING, null, null, null)
                : running(id, request.poolId(), index);
        live.put(id, inst);
        created.incrementAndGet();
        return inst;
    }

    private Instance running(String id, String poolId, int index) {
        return new Instance(id, name, poolId, index, InstanceStatus.RUNNING, "127.0.0.1", null,
                new SshEndpoint("127.0.0.1", 22, "scripted"));
    }

    @Override
    public synchronized List<Instance> describe(String poolId) {
        List<Instance> out = new ArrayList<>();
        for (Instance i : live.values()) {
            if (!i.poolId().equals(poolId)) {
                continue;
            }
            if (i.status() == InstanceStatus.PENDING && describesSeen.merge(i.id(), 1, Integer::sum) > pendingDescribes) {
                i = bootsInto == InstanceStatus.RUNNING ? running(i.id(), poolId, i.launchIndex())
                        : new Instance(i.id(), name, poolId, i.launchIndex(), bootsInto, null, null, null);
                live.put(i.id(), i);
            }
            out.add(i);
        }
        return out;
    }

    /** How many describe calls asked about each instance while it was pending. */
    public synchronized Map<String, Integer> describesWhilePending() {
        return Map.copyOf(describesSeen);
    }

    @Override
    public synchronized void terminate(String poolId) {
        if (!terminateLeaves) {
            live.values().removeIf(i -> i.poolId().equals(poolId));
        }
    }

    /** The same provider, also implementing {@link dev.skyward.spi.LiveCapacity}. */
    private static final class CapacityReporting implements Provider, dev.skyward.spi.LiveCapacity {
        private final ScriptedProvider p;

        CapacityReporting(ScriptedProvider p) {
            this.p = p;
        }

        @Override
        public Map<Offer, Boolean> capacity(List<Offer> offers, boolean spot) {
            Map<Offer, Boolean> result = new HashMap<>();
            for (Offer o : offers) {
                Boolean has = p.capacity.get(o.instanceType() + "@" + o.region());
                if (has != null) {
                    result.put(o, has);
                }
            }
            return result;
        }

        @Override
        public String name() {
            return p.name();
        }

        @Override
        public ProviderCheck check() {
            return p.check();
        }

        @Override
        public List<Offer> offers(OfferQuery query) {
            return p.offers(query);
        }

        @Override
        public List<Instance> launch(LaunchRequest request) {
            return p.launch(request);
        }

        @Override
        public List<Instance> describe(String poolId) {
            return p.describe(poolId);
        }

        @Override
        public void terminate(String poolId) {
            p.terminate(poolId);
        }
    }
}
