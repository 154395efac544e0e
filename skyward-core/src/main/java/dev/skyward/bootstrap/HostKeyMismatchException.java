package dev.skyward.bootstrap;

/**
 * The host presented a key different from the one on record. The connection was refused: never
 * retried, never accepted.
 */
public class HostKeyMismatchException extends BootstrapException {

    private static final long serialVersionUID = 1L;

    /**
     * @param host {@code user@host:port}
     * @param message expected and presented fingerprints, and what to do
     */
    public HostKeyMismatchException(String host, String message) {
        super(BootstrapPhase.CONNECT, host, message, null);
    }
}
