package dev.skyward.verda;

import dev.skyward.spi.Ownership;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a pool's instances and key are recognised on a Verda account, which has no tags on its older API
 * versions: each instance's description is {@code skyward pool=<pool id> node=<index>} followed by the
 * pool's ownership ({@code client=<id> created=<epoch> expires=<epoch> lease=<seconds>}, see
 * {@link Ownership}), parsed whole and compared for equality, so pool {@code a-1} never claims the
 * instances of pool {@code a-10} (no substring or prefix match). A description of an older Skyward,
 * without the ownership fields, still parses. The hostname carries the pool for people reading the
 * console.
 */
final class PoolMarker {

    /** Every instance this library made has a description starting with this. */
    static final String PREFIX = "skyward pool=";
    private static final Pattern DESCRIPTION = Pattern.compile(
            "skyward pool=(\\S+) node=(\\d{1,4})((?: (?:client|created|expires|lease)=\\S+)*)");
    /** Description field name to ownership tag. */
    private static final Map<String, String> FIELDS = Map.of("client", Ownership.CLIENT, "created", Ownership.CREATED,
            "expires", Ownership.EXPIRES, "lease", Ownership.LEASE);

    private PoolMarker() {
    }

    /** The node's index in the pool, when the description is this pool's marker; else empty. */
    record Node(String poolId, int index, Optional<Ownership> ownership) {
    }

    static String description(String poolId, int index) {
        return description(poolId, index, Map.of());
    }

    /** The marker, with the request's ownership tags where it has them. */
    static String description(String poolId, int index, Map<String, String> tags) {
        StringBuilder d = new StringBuilder(PREFIX + poolId + " node=" + index);
        for (String field : new String[] {"client", "created", "expires", "lease"}) {
            String v = tags.get(FIELDS.get(field));
            if (v != null && v.matches("\\S+")) {
                d.append(' ').append(field).append('=').append(v);
            }
        }
        return d.toString();
    }

    static Optional<Node> parse(String description) {
        if (description == null) {
            return Optional.empty();
        }
        Matcher m = DESCRIPTION.matcher(description);
        if (!m.matches()) {
            return Optional.empty();
        }
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(Ownership.POOL, m.group(1));
        for (String kv : m.group(3).trim().split(" ")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                tags.put(FIELDS.get(kv.substring(0, eq)), kv.substring(eq + 1));
            }
        }
        return Optional.of(new Node(m.group(1), Integer.parseInt(m.group(2)), Ownership.fromTags(tags)));
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
