package dev.skyward;

/**
 * One line a task printed on its node. Lines of one task arrive in order and are never mixed with
 * another task's.
 *
 * @param rank the node
 * @param taskId the task that printed it
 * @param stream which stream
 * @param text the line, without its line terminator
 */
public record OutputLine(int rank, long taskId, Stream stream, String text) {

    /** Standard output or standard error. */
    public enum Stream {
        /** {@code System.out} */
        STDOUT,
        /** {@code System.err} */
        STDERR
    }
}
