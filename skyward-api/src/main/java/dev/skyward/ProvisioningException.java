package dev.skyward;

import java.util.List;

/**
 * No offer could be provisioned. The message lists every attempt (provider, instance type, region)
 * and why it failed; {@link #attempts()} has the same as data. Whatever the attempts created was
 * terminated before this was thrown.
 */
public class ProvisioningException extends SkywardException {

    private static final long serialVersionUID = 1L;

    private final List<String> attempts;

    /**
     * @param message summary, usually including the attempts
     * @param attempts one line per attempt
     * @param cause the last underlying failure, may be {@code null}
     */
    public ProvisioningException(String message, List<String> attempts, Throwable cause) {
        super(message, cause);
        this.attempts = List.copyOf(attempts);
    }

    /** One line per attempt: the offer and the reason it failed. */
    public List<String> attempts() {
        return attempts;
    }
}
