package dev.skyward.bench;

import java.util.concurrent.CompletableFuture;

/**
 * The four operations every system under test offers. {@link Workloads} drives them the same way
 * for Skyward and for the peer, so both sides are measured by one piece of code.
 */
interface Target extends AutoCloseable {

    /** Runs a task that does nothing and returns null on one node, and waits for it. */
    void noop() throws Exception;

    /** Sends a no-op task to one node and returns at once. */
    CompletableFuture<?> submitNoop();

    /**
     * Runs on one node a task that captures {@code data} and returns its length there.
     *
     * @return the length the node saw
     */
    int sendArgument(byte[] data) throws Exception;

    /**
     * Runs on one node a task that allocates and returns a {@code size}-byte array.
     *
     * @return the array, here
     */
    byte[] fetchResult(int size) throws Exception;

    @Override
    void close();
}
