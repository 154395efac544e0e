package dev.skyward;

/**
 * Receives what tasks print on their nodes. The default prints each line to this process's console
 * prefixed with the node's rank; {@link #SILENT} drops them.
 *
 * <pre>{@code
 * ComputePool.builder().output(line -> log.info("[{}] {}", line.rank(), line.text()))
 * }</pre>
 */
@FunctionalInterface
public interface OutputListener {

    /** Drops all task output. */
    OutputListener SILENT = line -> { };

    /**
     * Called from a Skyward thread; must not block for long.
     *
     * @param line one line of a task's output
     */
    void onLine(OutputLine line);
}
