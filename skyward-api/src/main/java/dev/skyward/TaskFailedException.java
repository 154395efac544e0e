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
        super("task " + taskId + " failed on node " + rank + ": " + summary(cause), cause);
        this.taskId = taskId;
        this.rank = rank;
    }

    /**
     * What failed, on one line where notebooks show only the top exception: the task's exception,
     * and its root cause when that is deeper. When the task's exception is the library's own
     * (serialization, transport), the root cause leads: it is what went wrong.
     */
    private static String summary(Throwable cause) {
        if (cause == null) {
            return "(no cause)";
        }
        Throwable root = cause;
        for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 32; depth++) {
            root = root.getCause();
        }
        if (root == cause) {
            return describe(cause);
        }
        if (isLibrarys(typeName(cause))) {
            return describe(root) + " (root cause; the node failed in " + typeName(cause) + ")";
        }
        return describe(cause) + "; root cause: " + describe(root);
    }

    private static String typeName(Throwable t) {
        return t instanceof RemoteException r ? r.remoteClassName() : t.getClass().getName();
    }

    private static String describe(Throwable t) {
        // A RemoteException's message already reads "original.Type: message".
        return t instanceof RemoteException ? t.getMessage() : t.toString();
    }

    private static boolean isLibrarys(String type) {
        return type.startsWith("org.apache.fory.") || type.startsWith("io.grpc.") || type.startsWith("com.google.protobuf.");
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
