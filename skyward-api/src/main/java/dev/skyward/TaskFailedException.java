package dev.skyward;

/**
 * A task threw on its node. {@link #getCause()} is the task's exception, rebuilt on this side with
 * its type, message, remote stack frames, causes and suppressed exceptions; where its class cannot be
 * rebuilt here it is a {@link RemoteException} carrying the same facts.
 *
 * <pre>{@code
 * try {
 *     pool.run(ctx -> { throw new IllegalStateException("boom"); });
 * } catch (TaskFailedException e) {
 *     e.getCause();   // IllegalStateException: boom, with the node's stack trace
 *     e.rank();       // which node
 * }
 * }</pre>
 */
public class TaskFailedException extends SkywardException {

    private static final long serialVersionUID = 1L;

    private final long taskId;
    private final int rank;

    /**
     * @param taskId the task's id
     * @param rank the node's rank
     * @param cause the task's exception
     */
    public TaskFailedException(long taskId, int rank, Throwable cause) {
        super("task " + taskId + " failed on node " + rank + ": " + cause, cause);
        this.taskId = taskId;
        this.rank = rank;
    }

    /** Id of the failed task. */
    public long taskId() {
        return taskId;
    }

    /** Rank of the node the task ran on. */
    public int rank() {
        return rank;
    }
}
