package dev.skyward.bootstrap;

import java.io.IOException;

/**
 * Bringing up a node over SSH failed. The message names the host and the phase and says what to do;
 * {@link #phase()} and {@link #host()} carry the same as data.
 */
public class BootstrapException extends IOException {

    private static final long serialVersionUID = 1L;

    private final BootstrapPhase phase;
    private final String host;

    /**
     * @param phase where it failed
     * @param host {@code user@host:port}
     * @param message what happened and what to do
     * @param cause underlying failure, may be {@code null}
     */
    public BootstrapException(BootstrapPhase phase, String host, String message, Throwable cause) {
        super(host + " [" + phase.label() + "]: " + message, cause);
        this.phase = phase;
        this.host = host;
    }

    /** The phase that failed. */
    public BootstrapPhase phase() {
        return phase;
    }

    /** The host, as {@code user@host:port}. */
    public String host() {
        return host;
    }
}
