package dev.skyward.offer;

/**
 * One failed try: which provider and candidate, and why. {@link #line()} is what
 * {@link dev.skyward.ProvisioningException#attempts()} holds.
 *
 * @param provider provider name
 * @param candidate the candidate tried, or {@code null} when the provider was skipped as a whole
 *     (its credentials check failed)
 * @param nodes instances asked for
 * @param reason why it failed, starting with its class: {@code capacity:}, {@code quota:},
 *     {@code credentials:}, {@code transient:}, {@code error:}, {@code deadline:}
 */
public record Attempt(String provider, Candidate candidate, int nodes, String reason) {

    /** E.g. {@code aws/p5.48xlarge@us-east-1/us-east-1b spot x2 ($25.40/h): capacity: InsufficientInstanceCapacity}. */
    public String line() {
        if (candidate == null) {
            return provider + ": " + reason;
        }
        return candidate.offer() + " " + candidate.market() + " x" + nodes + " ("
                + OfferSearch.price(candidate.totalPrice(nodes)) + "): " + reason;
    }
}
