package dev.skyward.spi;

import java.util.Collection;
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
     * <p>Readiness: {@code launch} may return as soon as the instances are requested. The engine then
     * polls {@link #describe} (with backoff, within the pool's provisioning deadline) until each
     * returned instance is {@link InstanceStatus#RUNNING} with an {@link Instance#ssh() SSH endpoint}
     * (or, for {@link NodeAccess.Login#LOCAL_PROCESS}, just running). An instance that turns
     * {@link InstanceStatus#NO_CAPACITY} fails the attempt as a capacity failure; one that turns
     * {@link InstanceStatus#ERROR} or {@link InstanceStatus#TERMINATED} fails it as an error. An
     * instance not yet visible to {@code describe} (eventual consistency) is waited for.
     *
     * @param request what to create
     * @return the pool's instances, at least {@code request.count()} of them, in any state but failed
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
     * How the engine logs in to one of this provider's instances and what the node does when its
     * dead-man's switch fires. The default: the pool's ephemeral key, host key pinned on first use,
     * nothing run on expiry (the agent just exits) — a cloud provider should say how a forgotten
     * machine stops being billed ({@link NodeAccess#withOnExpire}).
     *
     * @param instance an instance this provider returned from launch or describe
     * @return how to reach it
     */
    default NodeAccess access(Instance instance) {
        return NodeAccess.poolKey();
    }

    /**
     * Terminates every instance of the pool and deletes the extras made for it (keys, security
     * groups), waiting until the instances are gone.
     *
     * @param poolId the pool
     */
    void terminate(String poolId);

    /**
     * Terminates some of the pool's instances and waits until they are gone, leaving the others and
     * the pool's extras (keys, security groups) as they are. The engine calls it to replace a lost
     * node and to give back an idle one; a following {@link #launch} with the same count then creates
     * exactly the missing launch indices, so a replacement gets the lost node's index (its rank).
     * Ids that are already gone, or not the pool's, are ignored.
     *
     * <pre>{@code
     * provider.terminate(poolId, List.of(lost.id()));
     * provider.launch(sameRequest);                 // recreates lost.launchIndex() only
     * }</pre>
     *
     * <p>The default refuses: a provider that cannot terminate single instances makes a pool that
     * does not replace nodes or shrink.
     *
     * @param poolId the pool
     * @param instanceIds ids as {@link Instance#id()} reports them
     * @throws UnsupportedOperationException the provider cannot do it
     * @throws ProviderException classified, when the provider failed to
     */
    default void terminate(String poolId, Collection<String> instanceIds) {
        throw new UnsupportedOperationException(name() + " cannot terminate single instances of a pool");
    }

    /**
     * Every instance this library made on the provider's account (or host list, or machine) that is not
     * yet terminated, across all pools and all clients, with who made it and until when it is wanted
     * ({@link Ownership}): what {@code skyward status} and {@code skyward down} work from, and what
     * {@code build()} checks for expired pools. Made for a person's question "what of mine is running,
     * and is it still wanted?", so it must not miss a pool: a provider lists by its library-wide tag (or
     * marker) rather than by pool.
     *
     * <pre>{@code
     * for (OwnedInstance i : new Aws().ownedInstances()) {
     *     System.out.println(i.poolId() + " " + i.instance().id() + " " + i.ownership().clientId());
     * }
     * }</pre>
     *
     * <p>The default throws: a provider that cannot list (or has nothing to list) says so, so that a
     * listing is never silently empty.
     *
     * @return the instances, any order
     * @throws UnsupportedOperationException the provider cannot list its instances
     * @throws ProviderException classified, when the listing failed
     */
    default List<OwnedInstance> ownedInstances() {
        throw new UnsupportedOperationException(name() + " cannot list the instances it made");
    }
}
