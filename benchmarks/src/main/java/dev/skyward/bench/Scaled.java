package dev.skyward.bench;

import java.util.List;

/**
 * A {@link Target} of a given size that also offers the operations whose cost grows with the work:
 * a task on every node, and one task per element of a list. {@link Scaling} drives it the same way
 * for Skyward and for the peer.
 */
interface Scaled extends Target {

    /** Runs a no-op on every node at once and waits for all of them. */
    void broadcastNoop() throws Exception;

    /**
     * Runs {@code x -> x + 1} once per element, spread over the nodes, and waits for all results.
     *
     * @return the results, in the order of {@code items}
     */
    List<Integer> mapAddOne(List<Integer> items) throws Exception;

    /** Opens a target on {@code nodes} nodes; closing the target releases what this one opened. */
    interface Opener {
        Scaled open(int nodes) throws Exception;
    }
}
