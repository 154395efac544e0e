package dev.skyward;

/**
 * A task, its captures or its argument cannot be sent to a node. Thrown on the caller's thread
 * when the task is submitted, before anything leaves the machine. The message names the type that
 * cannot travel and the path to it, e.g.
 * {@code task -> captured arg 1 (Trainer) -> field 'db' (java.sql.Connection)}.
 */
public class TaskSerializationException extends SkywardException {

    private static final long serialVersionUID = 1L;

    /** @param message the offending type, its path, and how to fix it */
    public TaskSerializationException(String message) {
        super(message);
    }

    /**
     * @param message the offending type, its path, and how to fix it
     * @param cause the serializer's failure
     */
    public TaskSerializationException(String message, Throwable cause) {
        super(message, cause);
    }
}
