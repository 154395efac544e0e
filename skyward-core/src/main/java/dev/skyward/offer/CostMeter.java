package dev.skyward.offer;

import dev.skyward.NodeCost;
import dev.skyward.spi.Instance;
import dev.skyward.spi.Offer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pool's running bill: each machine from its launch to its end, at the price paid for it (its
 * offer's spot or on-demand price). Machines may come and go while the pool runs (a replaced node ends,
 * its replacement starts); each keeps its own times.
 *
 * <pre>{@code
 * CostMeter meter = new CostMeter(Clock.systemUTC());
 * meter.launched(provisioned);              // the pool's machines, launched at provisioned.launchedAt()
 * meter.ended("aws/i-0abc");                // one machine gone (replaced, lost and terminated)
 * double perHour = meter.runningHourlyPrice();
 * meter.endedAll();                         // the pool's terminate returned
 * List<NodeCost> bill = meter.nodes();
 * }</pre>
 */
public final class CostMeter {

    private final Clock clock;
    private final Map<String, Entry> byInstance = new LinkedHashMap<>();

    private static final class Entry {
        final String provider;
        final String instanceId;
        final Offer offer;
        final boolean spot;
        final Instant launched;
        Instant ended;

        Entry(String provider, String instanceId, Offer offer, boolean spot, Instant launched) {
            this.provider = provider;
            this.instanceId = instanceId;
            this.offer = offer;
            this.spot = spot;
            this.launched = launched;
        }
    }

    /** @param clock what "now" is for machines that end (tests pass a clock they move) */
    public CostMeter(Clock clock) {
        this.clock = clock;
    }

    /** Starts the meter for every machine of a provisioning, from when it was launched. */
    public synchronized void launched(Provisioned provisioned) {
        for (Instance i : provisioned.instances()) {
            launched(provisioned.provider().name(), i.id(), provisioned.offer(), provisioned.spot(),
                    provisioned.launchedAt());
        }
    }

    /**
     * Starts the meter for one machine (a second call for the same id is ignored).
     *
     * @param provider provider name
     * @param instanceId the provider's id
     * @param offer what it is
     * @param spot whether it was bought on the spot market
     * @param at when it was launched
     */
    public synchronized void launched(String provider, String instanceId, Offer offer, boolean spot, Instant at) {
        byInstance.putIfAbsent(instanceId, new Entry(provider, instanceId, offer, spot, at));
    }

    /** Stops the meter for one machine, now (a machine already ended keeps its first end). */
    public synchronized void ended(String instanceId) {
        Entry e = byInstance.get(instanceId);
        if (e != null && e.ended == null) {
            e.ended = clock.instant();
        }
    }

    /** Stops the meter for every machine still running, now. */
    public synchronized void endedAll() {
        Instant now = clock.instant();
        byInstance.values().stream().filter(e -> e.ended == null).forEach(e -> e.ended = now);
    }

    /** USD per hour of the machines still running, each at its own price. */
    public synchronized double runningHourlyPrice() {
        return byInstance.values().stream().filter(e -> e.ended == null).mapToDouble(e -> e.offer.price(e.spot))
                .sum();
    }

    /** Every machine metered, in launch order; one still running is costed up to now. */
    public synchronized List<NodeCost> nodes() {
        Instant now = clock.instant();
        List<NodeCost> out = new ArrayList<>(byInstance.size());
        for (Entry e : byInstance.values()) {
            out.add(new NodeCost(e.provider, e.instanceId, e.offer.instanceType(), e.offer.region(), e.spot,
                    e.offer.price(e.spot), e.launched, e.ended != null ? e.ended : now));
        }
        return out;
    }

    /** The sum of every machine's estimated cost so far, in USD. */
    public double estimatedCost() {
        return nodes().stream().mapToDouble(NodeCost::estimatedCost).sum();
    }
}
