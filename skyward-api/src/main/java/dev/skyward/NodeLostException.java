package dev.skyward;

/**
 * The node a task was running on stopped answering (its agent died, or the connection to it could
 * not be restored in time). The task's outcome is unknown.
 */
public class NodeLostException extends SkywardException {

    private static final long serialVersionUID = 1L;

    private final int rank;

    /**
     * @param rank the lost node's rank
     * @param message what happened
     * @param cause the transport failure, may be {@code null}
     */
    public NodeLostException(int rank, String message, Throwable cause) {
        super(message, cause);
        this.rank = rank;
    }

    /** Rank of the lost node. */
    public int rank() {
        return rank;
    }
}
