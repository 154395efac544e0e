package dev.skyward;

/**
 * A node of a running pool, as the client sees it.
 *
 * @param rank the node's rank; 0 is the head
 * @param provider name of the provider that made it, e.g. {@code local}
 * @param instanceId the provider's id for the machine
 * @param address address the other nodes reach this one by (private where there is one)
 * @param accelerator what the node has
 */
public record NodeInfo(int rank, String provider, String instanceId, String address, Accelerator accelerator) {
}
