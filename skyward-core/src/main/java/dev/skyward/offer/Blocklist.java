package dev.skyward.offer;

import dev.skyward.spi.Offer;
import dev.skyward.spi.ProviderException;
import java.util.HashMap;
import java.util.Map;

/**
 * What earlier failures rule out, so the failover does not repeat them: a capacity error blocks the
 * offer in its region and zone on its market, a quota error the provider's region, a credentials
 * error the whole provider. Not thread-safe; one per provisioning run.
 */
final class Blocklist {

    private final Map<String, String> providers = new HashMap<>();
    private final Map<String, String> regions = new HashMap<>();
    private final Map<String, String> offers = new HashMap<>();

    /**
     * Records a failure.
     *
     * @param kind the failure's class; TRANSIENT and FATAL block nothing beyond the candidate tried
     * @param c the candidate that failed
     * @param why short reason, shown when a later candidate is skipped
     */
    void block(ProviderException.Kind kind, Candidate c, String why) {
        Offer o = c.offer();
        switch (kind) {
            case CREDENTIALS -> providers.putIfAbsent(o.provider(), why);
            case QUOTA -> regions.putIfAbsent(o.provider() + "/" + o.region(), why);
            case CAPACITY -> offers.putIfAbsent(offerKey(c), why);
            default -> {
                // Only this candidate is affected, and each candidate is tried once anyway.
            }
        }
    }

    /**
     * Blocks a whole provider (its credentials check failed).
     *
     * @param provider provider name
     * @param why short reason
     */
    void blockProvider(String provider, String why) {
        providers.putIfAbsent(provider, why);
    }

    /**
     * Why a candidate is ruled out, or {@code null} when it may be tried.
     *
     * @param c the candidate
     * @return e.g. {@code provider aws blocked (credentials)}
     */
    String blockedBy(Candidate c) {
        Offer o = c.offer();
        String why = providers.get(o.provider());
        if (why != null) {
            return "provider " + o.provider() + " blocked (" + why + ")";
        }
        why = regions.get(o.provider() + "/" + o.region());
        if (why != null) {
            return "region " + o.provider() + "/" + o.region() + " blocked (" + why + ")";
        }
        why = offers.get(offerKey(c));
        return why == null ? null : "offer blocked (" + why + ")";
    }

    private static String offerKey(Candidate c) {
        Offer o = c.offer();
        return o.provider() + "/" + o.instanceType() + "/" + o.region() + "/" + o.zone() + "/" + c.spot();
    }
}
