package dev.skyward.spi;

import java.util.List;
import java.util.Map;

/**
 * An optional capability of a {@link Provider} whose API can tell whether an instance type can be
 * launched right now (Verda's {@code /instance-availability}, for example). {@link
 * dev.skyward.Selection#AVAILABLE} asks providers that implement it and tries the offers they report
 * available first; providers that do not implement it keep their catalog order.
 *
 * <pre>{@code
 * public final class Verda implements Provider, LiveCapacity {
 *     public Map<Offer, Boolean> capacity(List<Offer> offers, boolean spot) {
 *         Set<String> free = api.availableTypes(spot);         // one call for every location
 *         Map<Offer, Boolean> result = new HashMap<>();
 *         offers.forEach(o -> result.put(o, free.contains(o.region() + "/" + o.instanceType())));
 *         return result;
 *     }
 * }
 * }</pre>
 */
public interface LiveCapacity {

    /**
     * Which of these offers can be launched now. Called once per market with all of this
     * provider's candidate offers, so an implementation can answer with a single API call.
     *
     * @param offers this provider's candidate offers
     * @param spot whether the spot market is meant
     * @return {@code true} (capacity now) or {@code false} (none now) per offer; offers left out are
     *     unknown. A failure to ask should throw; the pool then treats every offer as unknown.
     */
    Map<Offer, Boolean> capacity(List<Offer> offers, boolean spot);
}
