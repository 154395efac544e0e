package dev.skyward.spi;

import dev.skyward.Accelerator;
import dev.skyward.Allocation;
import java.util.List;

/**
 * What the pool asks providers for.
 *
 * @param accelerator wanted accelerator and count per node ({@link Accelerator#NONE}: any CPU node)
 * @param nodes number of nodes
 * @param allocation on-demand, spot, or spot where available
 * @param minVcpus minimum vCPUs per node, 0 for no limit
 * @param minMemoryGiB minimum memory per node, 0 for no limit
 * @param regions allowed regions, empty for any
 * @param maxHourlyPrice maximum USD per hour per node, {@code Double.POSITIVE_INFINITY} for no limit
 */
public record OfferQuery(Accelerator accelerator, int nodes, Allocation allocation, int minVcpus,
        double minMemoryGiB, List<String> regions, double maxHourlyPrice) {

    /** Copies the region list. */
    public OfferQuery {
        regions = List.copyOf(regions);
    }
}
