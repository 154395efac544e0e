package dev.skyward.aws;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Pauses that double from a first one up to a cap, with jitter, between retries of a throttled call. */
record Backoff(Duration first, Duration cap) {

    static final Backoff DEFAULT = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(10));

    Duration delay(int attempt) {
        long ms = first.toMillis() << Math.min(attempt, 16);
        ms = Math.min(ms, cap.toMillis());
        // Full jitter in the upper half: many clients throttled together do not retry in step.
        return Duration.ofMillis(ms / 2 + ThreadLocalRandom.current().nextLong(ms / 2 + 1));
    }

    void pause(int attempt) {
        try {
            Thread.sleep(delay(attempt).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.skyward.spi.ProviderException(dev.skyward.spi.ProviderException.Kind.TRANSIENT,
                    "interrupted while waiting to retry an AWS call", e);
        }
    }
}
