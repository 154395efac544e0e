package dev.skyward.spi;

import java.time.Instant;

/**
 * An instance this library made, found by {@link Provider#ownedInstances()} whatever pool or client it
 * belongs to: what {@code skyward status} lists and {@code skyward down} terminates.
 *
 * @param instance the instance (its {@link Instance#poolId()} is the pool's id; its
 *     {@link Instance#ssh()} may be {@code null}: a listing resolves no logins)
 * @param ownership who made it and until when it is wanted, or {@code null} for an instance made by a
 *     version of this library before these tags existed (only its pool is known)
 * @param launched when the provider says it was created, or {@code null} when it does not say
 * @param instanceType the provider's instance type, e.g. {@code p5.48xlarge}, or {@code ""}
 * @param region its region or location, or {@code ""}
 * @param hourlyPrice what it costs per hour in USD, from the provider or its catalog; {@code NaN} when
 *     unknown
 */
public record OwnedInstance(Instance instance, Ownership ownership, Instant launched, String instanceType,
        String region, double hourlyPrice) {

    /** The pool it belongs to. */
    public String poolId() {
        return instance.poolId();
    }

    /** When it started: the provider's launch time, else the pool's start from its tags, else {@code null}. */
    public Instant since() {
        return launched != null ? launched : ownership != null ? ownership.created() : null;
    }
}
