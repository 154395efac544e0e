package dev.skyward.bench;

/**
 * Ends a benchmark JVM that hangs: after the limit it prints a message and calls
 * {@code System.exit}, which runs the shutdown hooks (the pool's and the peer members' cleanup).
 */
final class Watchdog {

    private Watchdog() {
    }

    static void start(long seconds, String what) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(seconds * 1000);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("[bench] " + what + " still running after " + seconds + " s: giving up");
            System.exit(3);
        }, "bench-watchdog");
        t.setDaemon(true);
        t.start();
    }
}
