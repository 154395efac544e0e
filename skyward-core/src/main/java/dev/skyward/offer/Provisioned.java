package dev.skyward.offer;

import dev.skyward.spi.Instance;
import dev.skyward.spi.Offer;
import dev.skyward.spi.Provider;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What {@link Provisioner#provision} got: the provider, the offer, the market and the instances.
 *
 * <pre>{@code
 * Provisioned p = new Provisioner().provision(spec, poolId, publicKey, events::publish);
 * double usdPerHour = p.hourlyPrice();                       // whole pool
 * double usd = p.estimatedCost(Duration.ofMinutes(90));      // after 90 minutes
 * }</pre>
 *
 * @param provider the provider that launched them
 * @param offer the offer
 * @param spot whether on the spot market
 * @param instances the pool's instances
 * @param launchedAt when the launch that made them was sent (their bill starts then)
 */
public record Provisioned(Provider provider, Offer offer, boolean spot, List<Instance> instances, Instant launchedAt) {

    /** Copies the instances. */
    public Provisioned {
        instances = List.copyOf(instances);
    }

    /** Instances launched now. */
    public Provisioned(Provider provider, Offer offer, boolean spot, List<Instance> instances) {
        this(provider, offer, spot, instances, Instant.now());
    }

    /** USD per hour for the whole pool: instances x the offer's price on its market. */
    public double hourlyPrice() {
        return instances.size() * offer.price(spot);
    }

    /**
     * The estimated cost of running this long.
     *
     * @param uptime from provisioning to close
     * @return USD
     */
    public double estimatedCost(Duration uptime) {
        return PoolCost.estimate(hourlyPrice(), uptime);
    }
}
