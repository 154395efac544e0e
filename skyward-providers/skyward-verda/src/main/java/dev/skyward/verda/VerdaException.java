package dev.skyward.verda;

import dev.skyward.spi.ProviderException;

/** A failed Verda API call, with the HTTP status and Verda's error code ({@code insufficient_funds}, ...). */
final class VerdaException extends ProviderException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    VerdaException(Kind kind, int status, String code, String message) {
        super(kind, message);
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }
}
