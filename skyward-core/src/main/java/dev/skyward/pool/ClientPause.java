package dev.skyward.pool;

import java.time.Duration;
import java.util.Locale;

/**
 * Notices when this client JVM itself stood still longer than the heartbeat grace — every thread
 * stopped at a debugger breakpoint, a laptop asleep, a stop signal — so that the nodes it then finds
 * gone are explained by that, with the setting that prevents it, instead of by a bare broken stream.
 * Heartbeats are due every 500 ms; a longer gap between two of them is a pause.
 */
final class ClientPause {

    /** A loss this long after a pause is still put down to it: the agents needed the grace to notice. */
    private static final long AFTERMATH_MILLIS = 30_000;

    private final Duration grace;
    private volatile boolean started;
    private volatile long lastBeatNanos;
    /** The wall clock too: a suspended machine's monotonic clock stands still while it sleeps. */
    private volatile long lastBeatMillis;
    private volatile long pausedMillis;
    private volatile long pauseEndedMillis;

    ClientPause(Duration grace) {
        this.grace = grace;
    }

    /** A heartbeat round is running now. The first one starts the clock. */
    void beat() {
        if (started) {
            long gap = sinceLastBeatMillis();
            if (gap > grace.toMillis()) {
                pausedMillis = gap;
                pauseEndedMillis = System.currentTimeMillis();
            }
        }
        lastBeatNanos = System.nanoTime();
        lastBeatMillis = System.currentTimeMillis();
        started = true;
    }

    /** An explanation to append to a node's loss when this client stood still past the grace, else "". */
    String explain() {
        if (!started) {
            return "";
        }
        long paused = sinceLastBeatMillis();
        if (paused <= grace.toMillis()) {
            boolean recent = System.currentTimeMillis() - pauseEndedMillis < grace.toMillis() + AFTERMATH_MILLIS;
            paused = recent ? pausedMillis : 0;
        }
        if (paused <= grace.toMillis()) {
            return "";
        }
        return String.format(Locale.ROOT, "; this client stood still for %.1f s (a debugger breakpoint that "
                + "suspends all threads, a sleeping machine, a stop signal), longer than the heartbeat grace of %s, "
                + "so its agents presumed it dead and stopped. For a debugging session give the pool a longer grace: "
                + "ComputePool.builder().heartbeatGrace(Duration.ofMinutes(30))", paused / 1000.0, seconds(grace));
    }

    private long sinceLastBeatMillis() {
        long byNanos = (System.nanoTime() - lastBeatNanos) / 1_000_000;
        long byWall = System.currentTimeMillis() - lastBeatMillis;
        return Math.max(byNanos, byWall);
    }

    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
