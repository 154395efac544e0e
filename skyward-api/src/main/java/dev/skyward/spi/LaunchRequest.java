package dev.skyward.spi;

import dev.skyward.Image;
import java.util.Map;

/**
 * Create the instances of one pool. Providers make this idempotent: they find the pool's instances
 * by its tag or label and create only the missing ones.
 *
 * @param poolId pool id; tag every resource with it
 * @param offer what to create
 * @param count how many instances
 * @param spot on the spot market
 * @param image what the nodes need (providers may pick a machine image from it)
 * @param sshPublicKey the pool's ephemeral public key in OpenSSH format, or {@code null}
 * @param tags extra tags for every resource
 */
public record LaunchRequest(String poolId, Offer offer, int count, boolean spot, Image image, String sshPublicKey,
        Map<String, String> tags) {

    /** Copies the tags. */
    public LaunchRequest {
        tags = Map.copyOf(tags);
    }
}
