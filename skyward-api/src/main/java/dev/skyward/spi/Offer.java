package dev.skyward.spi;

import dev.skyward.Accelerator;
import java.util.Objects;

/**
 * One way to get a node: an instance type of a provider in a region, with its accelerator and
 * prices. Offers come from the providers' catalogs.
 *
 * @param provider provider name, e.g. {@code aws}
 * @param instanceType the provider's type name, e.g. {@code p5.48xlarge}
 * @param accelerator accelerator per instance ({@link Accelerator#NONE} for CPU types)
 * @param vcpus virtual CPUs per instance
 * @param memoryGiB memory per instance in GiB
 * @param region region code
 * @param zone zone within the region, or empty when it does not matter
 * @param onDemandPrice USD per hour per instance
 * @param spotPrice USD per hour per instance on the spot market, or {@code NaN} when there is none
 * @param arch CPU architecture, e.g. {@code x86_64}
 */
public record Offer(String provider, String instanceType, Accelerator accelerator, int vcpus, double memoryGiB,
        String region, String zone, double onDemandPrice, double spotPrice, String arch) {

    /** Whether this offer can be had on the spot market. */
    public boolean hasSpot() {
        return !Double.isNaN(spotPrice);
    }

    /**
     * Hourly price of one instance.
     *
     * @param spot whether the spot price is meant
     * @return USD per hour
     */
    public double price(boolean spot) {
        return spot ? spotPrice : onDemandPrice;
    }

    // Written out rather than left to the record: the generated ones bootstrap through an invokedynamic
    // call site whose first link, for ten components, cost the first pool build ~60 ms of its main thread
    // (the provisioner keys offers in a map) on a 2-core machine.
    @Override
    public boolean equals(Object o) {
        return o instanceof Offer x && vcpus == x.vcpus
                && Double.compare(memoryGiB, x.memoryGiB) == 0
                && Double.compare(onDemandPrice, x.onDemandPrice) == 0
                && Double.compare(spotPrice, x.spotPrice) == 0
                && Objects.equals(provider, x.provider) && Objects.equals(instanceType, x.instanceType)
                && Objects.equals(accelerator, x.accelerator) && Objects.equals(region, x.region)
                && Objects.equals(zone, x.zone) && Objects.equals(arch, x.arch);
    }

    @Override
    public int hashCode() {
        int h = Objects.hashCode(provider);
        h = 31 * h + Objects.hashCode(instanceType);
        h = 31 * h + Objects.hashCode(accelerator);
        h = 31 * h + vcpus;
        h = 31 * h + Double.hashCode(memoryGiB);
        h = 31 * h + Objects.hashCode(region);
        h = 31 * h + Objects.hashCode(zone);
        h = 31 * h + Double.hashCode(onDemandPrice);
        h = 31 * h + Double.hashCode(spotPrice);
        return 31 * h + Objects.hashCode(arch);
    }

    @Override
    public String toString() {
        return provider + "/" + instanceType + "@" + region + (zone.isEmpty() ? "" : "/" + zone);
    }
}
