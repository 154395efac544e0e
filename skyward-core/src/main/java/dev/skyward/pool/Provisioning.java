package dev.skyward.pool;

import dev.skyward.PoolConfigurationException;
import dev.skyward.PoolEvent;
import dev.skyward.ProvisioningException;
import dev.skyward.spi.Instance;
import dev.skyward.spi.LaunchRequest;
import dev.skyward.spi.Offer;
import dev.skyward.spi.PoolSpec;
import dev.skyward.spi.Provider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Gets the pool's instances from the first provider with an offer that launches. */
final class Provisioning {

    private Provisioning() {
    }

    /**
     * @param provider who made the instances
     * @param offer what they are
     * @param spot whether on the spot market
     * @param instances the instances
     */
    record Result(Provider provider, Offer offer, boolean spot, List<Instance> instances) {
        double hourlyPrice() {
            return offer.price(spot) * instances.size();
        }
    }

    static Result provision(PoolSpec spec, List<Provider> providers, String poolId, Consumer<PoolEvent> events) {
        List<String> attempts = new ArrayList<>();
        RuntimeException last = null;
        boolean anyOffer = false;
        for (Provider p : providers) {
            List<Offer> offers = p.offers(spec.offerQuery());
            for (Offer o : offers) {
                anyOffer = true;
                events.accept(new PoolEvent.OfferChosen(poolId, o, spec.nodes()));
                try {
                    List<Instance> instances = p.launch(new LaunchRequest(poolId, o, spec.nodes(), false, spec.image(),
                            null, Map.of("skyward-pool", poolId)));
                    if (instances.size() >= spec.nodes()) {
                        return new Result(p, o, false, instances);
                    }
                    throw new IllegalStateException("launched " + instances.size() + " of " + spec.nodes() + " instances");
                } catch (RuntimeException e) {
                    last = e;
                    attempts.add(o + ": " + e.getMessage());
                    events.accept(new PoolEvent.AttemptFailed(poolId, o, String.valueOf(e.getMessage())));
                    p.terminate(poolId);
                }
            }
        }
        if (!anyOffer) {
            throw new PoolConfigurationException("no provider offers " + spec.accelerator() + " (providers: "
                    + providers.stream().map(Provider::name).toList() + "); the local provider has no accelerators "
                    + "unless told to emulate one: Local.builder().emulate(\"" + spec.accelerator() + "\")");
        }
        throw new ProvisioningException("no offer could be provisioned:\n  " + String.join("\n  ", attempts), attempts,
                last);
    }
}
