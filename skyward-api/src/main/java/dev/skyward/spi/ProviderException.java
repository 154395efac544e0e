package dev.skyward.spi;

import dev.skyward.SkywardException;

/**
 * A provider call failed. The {@link Kind} tells the pool what to skip when it fails over.
 */
public class ProviderException extends SkywardException {

    private static final long serialVersionUID = 1L;

    /** How the pool reacts. */
    public enum Kind {
        /** No capacity for this offer in this region: skip the offer and region. */
        CAPACITY,
        /** A quota or limit: skip the region. */
        QUOTA,
        /** Credentials missing, invalid or lacking permission: skip the provider. */
        CREDENTIALS,
        /** A throttle or a server error worth retrying later. */
        TRANSIENT,
        /** Anything else: skip this offer. */
        FATAL
    }

    private final Kind kind;

    /**
     * @param kind what sort of failure
     * @param message what happened, with the provider's own error code where it gave one
     */
    public ProviderException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    /**
     * @param kind what sort of failure
     * @param message what happened
     * @param cause underlying failure
     */
    public ProviderException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** What sort of failure this is. */
    public Kind kind() {
        return kind;
    }
}
