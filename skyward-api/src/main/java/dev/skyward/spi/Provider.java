package dev.skyward.spi;

import java.util.List;

/**
 * A source of machines: a cloud, a list of existing hosts, or this machine. Implementations are
 * small (after SkyPilot's provisioner API) and every method may be called from any thread.
 *
 * <pre>{@code
 * ComputePool.builder().provider(new Aws(), new DigitalOcean()).accelerator("H100:8").build();
 * }</pre>
 */
public interface Provider {

    /** Short lower-case name, e.g. {@code aws}; used in catalogs, tags and messages. */
    String name();

    /**
     * Whether credentials are present and usable; never throws for missing credentials.
     *
     * @return the check's result, with what to set when it fails
     */
    ProviderCheck check();

    /**
     * Offers matching a query, from the catalog, refined by live availability where the API has it.
     *
     * @param query what the pool needs
     * @return matching offers, in the provider's preferred order
     */
    List<Offer> offers(OfferQuery query);

    /**
     * Creates the pool's missing instances (idempotent: existing instances tagged with the pool id
     * count) and returns all of them. On failure it throws after cleaning up nothing: the pool calls
     * {@link #terminate} for whatever the attempt created.
     *
     * @param request what to create
     * @return the pool's instances, at least {@code request.count()} of them
     * @throws ProviderException classified, so the pool knows what to skip
     */
    List<Instance> launch(LaunchRequest request);

    /**
     * The pool's instances that are not yet terminated.
     *
     * @param poolId the pool
     * @return its instances, any order
     */
    List<Instance> describe(String poolId);

    /**
     * Terminates every instance of the pool and deletes the extras made for it (keys, security
     * groups), waiting until the instances are gone.
     *
     * @param poolId the pool
     */
    void terminate(String poolId);
}
