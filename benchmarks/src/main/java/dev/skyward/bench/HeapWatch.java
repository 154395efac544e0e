package dev.skyward.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The client's heap while one call runs, above what was in use (after a GC) before it:
 *
 * <ul>
 *   <li>{@link #peakMiB()}: the most heap in use, sampled every 2 ms and taken from every GC's
 *       before-collection figure, garbage not yet collected included (what the heap must be able to hold);
 *   <li>{@link #liveMiB()}: the most heap still in use after any GC during the call, or after a GC at
 *       its end with the result still referenced (a lower bound of what the call kept alive at once).
 * </ul>
 *
 * <pre>{@code
 * HeapWatch w = HeapWatch.start();
 * byte[] r = call();
 * w.stop();   // while r is still referenced
 * }</pre>
 */
final class HeapWatch implements NotificationListener {

    private final long baseline;
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong live = new AtomicLong();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final Thread sampler;
    private volatile boolean running = true;

    private HeapWatch() {
        Workloads.settle();
        baseline = used();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter e) {
                e.addNotificationListener(this, null, null);
                emitters.add(e);
            }
        }
        sampler = new Thread(() -> {
            while (running) {
                peak.accumulateAndGet(used(), Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    static HeapWatch start() {
        return new HeapWatch();
    }

    /** Stops watching; call it while the call's result is still referenced. */
    HeapWatch stop() {
        peak.accumulateAndGet(used(), Math::max);
        running = false;
        sampler.interrupt();
        // What the caller still holds (the result): a full GC now, with the result referenced.
        System.gc();
        live.accumulateAndGet(used(), Math::max);
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(this);
            } catch (ListenerNotFoundException ignored) {
                // never added
            }
        }
        return this;
    }

    double peakMiB() {
        return Math.max(0, peak.get() - baseline) / 1048576.0;
    }

    double liveMiB() {
        return Math.max(0, live.get() - baseline) / 1048576.0;
    }

    @Override
    public void handleNotification(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()).getGcInfo();
        peak.accumulateAndGet(sum(info.getMemoryUsageBeforeGc()), Math::max);
        live.accumulateAndGet(sum(info.getMemoryUsageAfterGc()), Math::max);
    }

    private static long sum(Map<String, MemoryUsage> pools) {
        // Heap pools only: G1's and the other collectors' non-heap pools (Metaspace, code cache) are
        // reported too; their names do not contain these words.
        long s = 0;
        for (Map.Entry<String, MemoryUsage> e : pools.entrySet()) {
            String k = e.getKey();
            if (k.contains("Eden") || k.contains("Survivor") || k.contains("Old") || k.contains("Tenured")) {
                s += e.getValue().getUsed();
            }
        }
        return s;
    }

    private static long used() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
