package dev.skyward.offer;

import dev.skyward.spi.Offer;

/**
 * An offer together with the market it would be bought on: what the pool actually tries. With
 * {@link dev.skyward.Allocation#SPOT_IF_AVAILABLE} one offer can appear twice, spot first.
 *
 * @param offer the offer
 * @param spot whether on the spot market
 */
public record Candidate(Offer offer, boolean spot) {

    /** USD per hour for one node. */
    public double price() {
        return offer.price(spot);
    }

    /**
     * USD per hour for the whole pool.
     *
     * @param nodes node count
     * @return {@code nodes x price}
     */
    public double totalPrice(int nodes) {
        return nodes * price();
    }

    /** {@code spot} or {@code on-demand}. */
    public String market() {
        return spot ? "spot" : "on-demand";
    }

    @Override
    public String toString() {
        return offer + " " + market();
    }
}
