package dev.skyward;

/**
 * A node of a running pool, as the client sees it.
 *
 * <pre>{@code
 * for (NodeInfo n : pool.nodes()) {
 *     if (n.isLost()) {
 *         System.out.println("node " + n.rank() + " is gone: " + n.lostReason());
 *     }
 * }
 * }</pre>
 *
 * @param rank the node's rank; 0 is the head
 * @param provider name of the provider that made it, e.g. {@code local}
 * @param instanceId the provider's id for the machine
 * @param address address the other nodes reach this one by (private where there is one)
 * @param accelerator what the node has
 * @param lostReason why the node was lost (its agent exited, stopped answering, ...), or {@code null}
 *     while it serves tasks
 */
public record NodeInfo(int rank, String provider, String instanceId, String address, Accelerator accelerator,
        String lostReason) {

    /** A node that serves tasks. */
    public NodeInfo(int rank, String provider, String instanceId, String address, Accelerator accelerator) {
        this(rank, provider, instanceId, address, accelerator, null);
    }

    /** Whether the node was lost: tasks sent to it fail at once with {@link NodeLostException}. */
    public boolean isLost() {
        return lostReason != null;
    }

    /**
     * The same node, lost.
     *
     * @param reason what happened
     * @return a copy with {@link #lostReason()} set
     */
    public NodeInfo lost(String reason) {
        return new NodeInfo(rank, provider, instanceId, address, accelerator, reason);
    }
}
