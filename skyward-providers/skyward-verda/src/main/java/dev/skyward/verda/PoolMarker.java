package dev.skyward.verda;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a pool's instances and key are recognised on a Verda account, which has no tags on its older API
 * versions: each instance's description is exactly {@code skyward pool=<pool id> node=<index>}, parsed
 * whole and compared for equality, so pool {@code a-1} never claims the instances of pool {@code a-10}
 * (no substring or prefix match). The hostname carries the same for people reading the console.
 */
final class PoolMarker {

    /** Every instance this library made has a description starting with this. */
    static final String PREFIX = "skyward pool=";
    private static final Pattern DESCRIPTION = Pattern.compile("skyward pool=(\\S+) node=(\\d{1,4})");

    private PoolMarker() {
    }

    /** The node's index in the pool, when the description is this pool's marker; else empty. */
    record Node(String poolId, int index) {
    }

    static String description(String poolId, int index) {
        return PREFIX + poolId + " node=" + index;
    }

    static Optional<Node> parse(String description) {
        if (description == null) {
            return Optional.empty();
        }
        Matcher m = DESCRIPTION.matcher(description);
        return m.matches() ? Optional.of(new Node(m.group(1), Integer.parseInt(m.group(2)))) : Optional.empty();
    }

    static boolean ofPool(String description, String poolId) {
        return parse(description).map(n -> n.poolId().equals(poolId)).orElse(false);
    }

    /** A hostname Verda accepts (letters, digits, dashes, at most 60 characters). */
    static String hostname(String poolId, int index) {
        String safe = poolId.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        String suffix = "-n" + index;
        if (safe.length() + suffix.length() > 60) {
            safe = safe.substring(0, 60 - suffix.length());
        }
        return safe + suffix;
    }

    /** The name of the pool's SSH key on the account. */
    static String keyName(String poolId) {
        return "skyward-" + poolId;
    }
}
