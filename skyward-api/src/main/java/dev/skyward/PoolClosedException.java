package dev.skyward;

import java.util.concurrent.CancellationException;

/**
 * The pool was closed while a task was waiting or running, or a task was submitted to a closed
 * pool. A future failed with it reports {@code isCancelled() == true}.
 */
public class PoolClosedException extends CancellationException {

    private static final long serialVersionUID = 1L;

    /** @param message which pool and which task */
    public PoolClosedException(String message) {
        super(message);
    }
}
