package dev.skyward;

import java.time.Duration;
import java.time.Instant;

/**
 * What one node of a pool cost: the machine, the price actually paid for it (spot or on-demand) and
 * how long it existed, from its launch to its termination. Carried by {@link PoolEvent.Closed}.
 *
 * <pre>{@code
 * .listener(e -> {
 *     if (e instanceof PoolEvent.Closed c) {
 *         for (NodeCost n : c.nodes()) {
 *             System.out.printf("%s %s %s: %s at $%.2f/h = $%.4f%n", n.provider(), n.instanceType(),
 *                     n.spot() ? "spot" : "on-demand", n.uptime(), n.hourlyPrice(), n.estimatedCost());
 *         }
 *         System.out.println(c.costByProvider());   // {digitalocean=0.0113}
 *     }
 * })
 * }</pre>
 *
 * @param provider the provider that made the machine, e.g. {@code aws}
 * @param instanceId the provider's id for it
 * @param instanceType its instance type
 * @param region where it ran
 * @param spot whether it was bought on the spot market
 * @param hourlyPrice USD per hour paid for it: the offer's spot price when {@code spot}, else its on-demand price
 * @param launched when it was launched
 * @param ended when it was terminated (for a node still running: when the cost was read)
 */
public record NodeCost(String provider, String instanceId, String instanceType, String region, boolean spot,
        double hourlyPrice, Instant launched, Instant ended) {

    /** How long the machine existed. */
    public Duration uptime() {
        return Duration.between(launched, ended);
    }

    /** {@code hourlyPrice} times {@link #uptime()}, per millisecond, in USD (an estimate: no minimum billing). */
    public double estimatedCost() {
        return hourlyPrice * uptime().toMillis() / 3_600_000.0;
    }
}
