package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.OutputListener;
import dev.skyward.PoolEvent;
import dev.skyward.Scheduling;
import dev.skyward.console.ConsoleRenderer;
import dev.skyward.local.Local;
import dev.skyward.spi.Instance;
import dev.skyward.spi.LaunchRequest;
import dev.skyward.spi.NodeAccess;
import dev.skyward.spi.Offer;
import dev.skyward.spi.OfferQuery;
import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderCheck;
import dev.skyward.testkit.Leaks;
import dev.skyward.testkit.metadata.FakeImds;
import dev.skyward.testing.TestClasspath;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node whose cloud announces it will take the machine (a spot interruption notice) gets no new
 * work from then on, while the task running there finishes and delivers its result; the pool says
 * so in an event. Here on local agents told to watch a loopback metadata service — what a cloud
 * provider asks for its spot nodes; a plain local pool never watches.
 */
@Timeout(180)
class PreemptionNoticeTest {

    @Test
    void afterTheNoticeNoNewTaskGoesToTheNodeAndItsRunningTaskStillFinishes() throws Exception {
        try (FakeImds imds = FakeImds.start()) {
            List<PoolEvent> events = new CopyOnWriteArrayList<>();
            Provider spotty = new WatchedLocal(new Local(), imds);
            ComputePool pool = ComputePool.builder().name("notice-test").provider(spotty).nodes(2).concurrency(2)
                    .scheduling(Scheduling.ROUND_ROBIN).console(false).output(OutputListener.SILENT)
                    .listener(events::add).build();
            List<Integer> ports = Leaks.agentPorts(pool);
            try (pool) {
                List<Integer> before = pool.map(IntStream.range(0, 6).boxed().toList(), (ctx, x) -> ctx.rank());
                assertThat(before).as("both nodes take work before the notice").contains(0, 1);
                CompletableFuture<String> running = pool.node(1).submit(ctx -> {
                    Thread.sleep(4_000);
                    return "finished on " + ctx.rank();
                });

                Instant when = Instant.now().plus(2, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
                imds.postNotice("node-1", "terminate", when);
                PoolEvent.NodePreempting notice = awaitNotice(events, Duration.ofSeconds(60));
                assertThat(notice.node().rank()).isEqualTo(1);
                assertThat(notice.action()).isEqualTo("terminate");
                assertThat(notice.time()).isEqualTo(when);
                assertThat(notice.poolId()).isEqualTo(pool.id());
                java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
                new ConsoleRenderer(new java.io.PrintStream(console, true, java.nio.charset.StandardCharsets.UTF_8))
                        .onEvent(notice);
                assertThat(console.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("node 1 preempted").contains("terminate")
                        .contains(when.toString()).contains("no new tasks");

                // Work that may go anywhere goes to node 0 only, by map, submit and run alike.
                for (int round = 0; round < 3; round++) {
                    assertThat(pool.map(IntStream.range(0, 6).boxed().toList(), (ctx, x) -> ctx.rank()))
                            .as("map round %d after the notice", round).containsOnly(0);
                }
                List<CompletableFuture<Integer>> submitted = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    submitted.add(pool.submit(ctx -> ctx.rank()));
                }
                for (CompletableFuture<Integer> f : submitted) {
                    assertThat(f.get(60, TimeUnit.SECONDS)).isZero();
                }
                int ranAt = pool.run(ctx -> ctx.rank());
                assertThat(ranAt).isZero();

                // The task already there goes on to the end; the node is still a member, not lost.
                assertThat(running.get(60, TimeUnit.SECONDS)).isEqualTo("finished on 1");
                assertThat(pool.nodes().get(1).isLost()).isFalse();
                String pinned = pool.node(1).run(ctx -> "pinned work still goes there");
                assertThat(pinned).isNotEmpty();

                assertThat(events).filteredOn(e -> e instanceof PoolEvent.NodePreempting).as("one notice, one event")
                        .hasSize(1);
                assertThat(imds.unauthorized()).as("every look carried a token").isZero();
                assertThat(imds.tokensIssued("node-0")).isGreaterThanOrEqualTo(1);
                assertThat(imds.noticeReads("node-0")).as("node 0 watched too, and saw nothing").isPositive();
            }
            Leaks.assertNothingLeft(pool, ports);
        }
    }

    @Test
    void whenEveryNodeIsDrainingTasksStillGoThereRatherThanFail() throws Exception {
        try (FakeImds imds = FakeImds.start()) {
            List<PoolEvent> events = new CopyOnWriteArrayList<>();
            ComputePool pool = ComputePool.builder().name("notice-one").provider(new WatchedLocal(new Local(), imds))
                    .console(false).output(OutputListener.SILENT).listener(events::add).build();
            List<Integer> ports = Leaks.agentPorts(pool);
            try (pool) {
                imds.postNotice("node-0", "stop", Instant.now().plus(2, ChronoUnit.MINUTES));
                assertThat(awaitNotice(events, Duration.ofSeconds(60)).action()).isEqualTo("stop");
                // The machine works until the cloud takes it: better used than a pool that refuses work.
                List<Integer> ranks = pool.map(List.of(1, 2, 3), (ctx, x) -> ctx.rank());
                assertThat(ranks).containsOnly(0);
            }
            Leaks.assertNothingLeft(pool, ports);
        }
    }

    @Test
    void inAJvmWithoutFlagsTheConsoleShowsTheNoticeAndWorkMovesToTheOtherNode() throws Exception {
        String out = TestClasspath.output(TestClasspath.plainJava(NoticedProgram.class), 150);
        assertThat(out).contains("skyward:   node 1 preempted: the cloud will terminate it at 2026-12-02T08:22:00Z")
                .contains("event=1 terminate 2026-12-02T08:22:00Z")
                .contains("after=[0, 0, 0, 0]")
                .contains("DONE");
    }

    /** A program as a user writes it: the console on, a listener, a map after the notice. */
    public static final class NoticedProgram {
        public static void main(String[] args) throws Exception {
            try (FakeImds imds = FakeImds.start()) {
                List<PoolEvent.NodePreempting> seen = new CopyOnWriteArrayList<>();
                try (ComputePool pool = ComputePool.builder().name("plain-notice").provider(new WatchedLocal(new Local(),
                        imds)).nodes(2).output(OutputListener.SILENT).listener(e -> {
                            if (e instanceof PoolEvent.NodePreempting p) {
                                seen.add(p);
                            }
                        }).build()) {
                    imds.postNotice("node-1", "terminate", Instant.parse("2026-12-02T08:22:00Z"));
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (seen.isEmpty() && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    for (PoolEvent.NodePreempting p : seen) {
                        System.out.println("event=" + p.node().rank() + " " + p.action() + " " + p.time());
                    }
                    System.out.println("after=" + pool.map(List.of(1, 2, 3, 4), (ctx, x) -> ctx.rank()));
                }
            }
            System.out.println("DONE");
        }
    }

    @Test
    void aPlainLocalPoolDoesNotWatchForNotices() {
        Instance i = new Instance("0", Local.NAME, "p", 0, dev.skyward.spi.InstanceStatus.RUNNING, null, "127.0.0.1",
                null);
        assertThat(new Local().access(i).spotNotice()).isNull();
    }

    private static PoolEvent.NodePreempting awaitNotice(List<PoolEvent> events, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (PoolEvent e : events) {
                if (e instanceof PoolEvent.NodePreempting p) {
                    return p;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no NodePreempting event within " + timeout + "; events: " + events);
    }

    /** The local provider, with each node's agent told to watch its own path of the stand-in. */
    private record WatchedLocal(Local local, FakeImds imds) implements Provider {
        @Override
        public String name() {
            return local.name();
        }

        @Override
        public ProviderCheck check() {
            return local.check();
        }

        @Override
        public List<Offer> offers(OfferQuery query) {
            return local.offers(query);
        }

        @Override
        public List<Instance> launch(LaunchRequest request) {
            return local.launch(request);
        }

        @Override
        public List<Instance> describe(String poolId) {
            return local.describe(poolId);
        }

        @Override
        public NodeAccess access(Instance instance) {
            return local.access(instance).withSpotNotice(imds.endpoint("node-" + instance.launchIndex()));
        }

        @Override
        public void terminate(String poolId) {
            local.terminate(poolId);
        }
    }
}
