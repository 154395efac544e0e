package dev.skyward.offer;

import java.time.Duration;
import java.util.Locale;

/**
 * Cost arithmetic for {@link dev.skyward.PoolEvent.Closed}: list price times time, per second, the
 * way the providers here bill. It is an estimate: it ignores minimum billing periods, storage and
 * traffic, and spot prices that moved.
 *
 * <pre>{@code
 * double usd = PoolCost.estimate(provisioned.hourlyPrice(), uptime);
 * String line = PoolCost.describe(provisioned.hourlyPrice(), uptime);  // "1h 30m at $31.84/h: about $47.76"
 * }</pre>
 */
public final class PoolCost {

    private PoolCost() {
    }

    /**
     * @param hourlyPrice USD per hour for the whole pool
     * @param uptime how long it ran
     * @return USD
     */
    public static double estimate(double hourlyPrice, Duration uptime) {
        return hourlyPrice * uptime.toMillis() / 3_600_000.0;
    }

    /**
     * @param hourlyPrice USD per hour for the whole pool
     * @param uptime how long it ran
     * @return e.g. {@code 1h 30m 5s at $31.84/h: about $47.80}
     */
    public static String describe(double hourlyPrice, Duration uptime) {
        long s = uptime.toSeconds();
        String time = s >= 3600 ? String.format(Locale.ROOT, "%dh %dm %ds", s / 3600, s / 60 % 60, s % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm %ds", s / 60, s % 60)
                : String.format(Locale.ROOT, "%.1fs", uptime.toMillis() / 1000.0);
        return String.format(Locale.ROOT, "%s at $%.2f/h: about $%.2f", time, hourlyPrice,
                estimate(hourlyPrice, uptime));
    }
}
