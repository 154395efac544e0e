package dev.skyward;

/**
 * The pool's settings are invalid or cannot be satisfied (an impossible node count, an unknown
 * accelerator, missing credentials). Thrown by {@link ComputePool.Builder#build()} before any machine
 * is started; the message says what to change.
 */
public class PoolConfigurationException extends SkywardException {

    private static final long serialVersionUID = 1L;

    /** @param message what is wrong and how to fix it */
    public PoolConfigurationException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong and how to fix it
     * @param cause the underlying failure
     */
    public PoolConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
