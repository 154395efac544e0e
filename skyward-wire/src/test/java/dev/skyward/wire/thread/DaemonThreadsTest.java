package dev.skyward.wire.thread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DaemonThreadsTest {

    @Test
    void aNamedFactoryMakesDaemonThreadsAllWithThatName() {
        ThreadFactory f = DaemonThreads.named("skyward-ledger");
        Thread a = f.newThread(() -> { });
        Thread b = f.newThread(() -> { });
        assertTrue(a.isDaemon() && b.isDaemon());
        assertEquals("skyward-ledger", a.getName());
        assertEquals("skyward-ledger", b.getName());
    }

    @Test
    void aNumberedFactoryCountsItsThreadsFromOne() {
        ThreadFactory f = DaemonThreads.numbered("skyward-io");
        Thread a = f.newThread(() -> { });
        Thread b = f.newThread(() -> { });
        assertTrue(a.isDaemon() && b.isDaemon());
        assertEquals("skyward-io-1", a.getName());
        assertEquals("skyward-io-2", b.getName());
        assertEquals("other-1", DaemonThreads.numbered("other").newThread(() -> { }).getName(),
                "each factory counts on its own");
    }

    @Test
    void startRunsTheWorkOnAStartedDaemonThread() throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        String[] seenOn = new String[1];
        Thread t = DaemonThreads.start(() -> {
            seenOn[0] = Thread.currentThread().getName();
            ran.countDown();
        }, "skyward-watch");
        assertTrue(t.isDaemon());
        assertTrue(ran.await(30, TimeUnit.SECONDS), "the work ran");
        t.join(30_000);
        assertEquals("skyward-watch", seenOn[0]);
    }
}
