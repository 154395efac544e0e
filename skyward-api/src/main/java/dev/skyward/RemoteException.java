package dev.skyward;

/**
 * Stands in for a remote exception whose class cannot be instantiated on this side. Its stack trace
 * is the remote one; {@link #remoteClassName()} is the original type.
 */
public class RemoteException extends SkywardException {

    private static final long serialVersionUID = 1L;

    private final String remoteClassName;

    /**
     * @param remoteClassName the original exception's class name
     * @param message the original message, may be {@code null}
     */
    public RemoteException(String remoteClassName, String message) {
        super(message == null ? remoteClassName : remoteClassName + ": " + message);
        this.remoteClassName = remoteClassName;
    }

    /** Class name of the exception thrown on the node. */
    public String remoteClassName() {
        return remoteClassName;
    }
}
