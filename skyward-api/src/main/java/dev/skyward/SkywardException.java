package dev.skyward;

/** Base of the exceptions Skyward throws. */
public class SkywardException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message what went wrong and, where we know, what to do about it */
    public SkywardException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong and what to do about it
     * @param cause the underlying failure
     */
    public SkywardException(String message, Throwable cause) {
        super(message, cause);
    }
}
