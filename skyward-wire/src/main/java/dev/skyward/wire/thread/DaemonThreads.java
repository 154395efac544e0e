package dev.skyward.wire.thread;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Skyward's background threads: daemon threads (a pool, an agent or a command left running must
 * never keep the user's JVM alive) with names that say whose they are, as thread dumps and
 * profiles show them. Internal to Skyward (public only so that every module can use it).
 *
 * <pre>{@code
 * ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("skyward-ledger"));
 * ExecutorService io = Executors.newCachedThreadPool(DaemonThreads.numbered("skyward-ssh-io")); // skyward-ssh-io-1, -2, ...
 * DaemonThreads.start(() -> reconnect(), "skyward-reconnect-3");
 * }</pre>
 */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    /**
     * Daemon threads all named {@code name}: for an executor with a single thread.
     *
     * @param name every thread's name
     * @return the factory
     */
    public static ThreadFactory named(String name) {
        return r -> daemon(r, name);
    }

    /**
     * Daemon threads named {@code prefix-1}, {@code prefix-2}, ... in the order they are made.
     *
     * @param prefix the names' common start
     * @return the factory
     */
    public static ThreadFactory numbered(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> daemon(r, prefix + "-" + n.incrementAndGet());
    }

    /**
     * Starts {@code work} on a new daemon thread.
     *
     * @param work what it runs
     * @param name the thread's name
     * @return the started thread
     */
    public static Thread start(Runnable work, String name) {
        Thread t = daemon(work, name);
        t.start();
        return t;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
