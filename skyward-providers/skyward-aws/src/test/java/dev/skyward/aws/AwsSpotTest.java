package dev.skyward.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.Allocation;
import dev.skyward.ComputePool;
import dev.skyward.NodeInfo;
import dev.skyward.OutputListener;
import dev.skyward.PoolConfigurationException;
import dev.skyward.PoolEvent;
import dev.skyward.Scheduling;
import dev.skyward.testkit.metadata.FakeImds;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spot preemption on EC2, against moto, the loopback hosts behind its instances and a loopback IMDSv2
 * stand-in: AWS posts the interruption notice for one node; the pool starts its replacement at once,
 * sends it no new work while the task running there finishes, and when the cloud reclaims the instance
 * (terminated in moto, its host gone) the new machine serves the rank — every item of the maps
 * around it arrives once, and nothing is left at the end.
 */
@Timeout(240)
class AwsSpotTest {

    private static final Logger log = LoggerFactory.getLogger(AwsSpotTest.class);

    static MotoCloud cloud;

    @BeforeAll
    static void start() throws Exception {
        cloud = MotoCloud.start();
    }

    @AfterAll
    static void stop() {
        if (cloud != null) {
            cloud.close();
        }
    }

    @Test
    void aNoticedSpotNodeIsReplacedAtOnceFinishesItsTaskAndLosesNoWorkWhenReclaimed() throws Exception {
        cloud.moto.clear();
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        String poolId;
        int imdsPort;
        try (FakeImds imds = FakeImds.start();
                Aws aws = cloud.aws().metadataEndpoint(imds::endpoint).build();
                ComputePool pool = ComputePool.builder().console(false).output(OutputListener.SILENT)
                        .provider(aws).nodes(2).allocation(Allocation.SPOT).maxHourlyPrice(0.1)
                        .scheduling(Scheduling.ROUND_ROBIN).concurrency(2)
                        .heartbeatGrace(Duration.ofSeconds(20)).listener(events::add).build()) {
            poolId = pool.id();
            imdsPort = imds.port();
            Map<String, String> run = cloud.moto.requests("RunInstances").get(0);
            assertThat(run).containsEntry("InstanceMarketOptions.MarketType", "spot");
            String doomed = ec2Id(pool.nodes().get(1).instanceId());
            String spared = ec2Id(pool.nodes().get(0).instanceId());
            assertThat(aws.access(aws.describe(poolId).get(1)).spotNotice()).isEqualTo(imds.endpoint(doomed));

            assertThat(pool.map(IntStream.range(0, 6).boxed().toList(), (ctx, x) -> ctx.rank()))
                    .as("both nodes take work before the notice").contains(0, 1);
            CompletableFuture<String> running = pool.node(1).submit(ctx -> {
                Thread.sleep(5_000);
                return "finished on " + ctx.rank();
            });

            // AWS decides to take node 1 and says so two minutes ahead.
            Instant when = Instant.now().plus(2, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
            long posted = System.nanoTime();
            imds.postNotice(doomed, "terminate", when);
            PoolEvent.NodePreempting notice = (PoolEvent.NodePreempting) await(events,
                    e -> e instanceof PoolEvent.NodePreempting, Duration.ofSeconds(60));
            log.info("MEASURED NodePreempting {} ms after the notice was posted", (System.nanoTime() - posted) / 1_000_000);
            assertThat(notice.node().rank()).isEqualTo(1);
            assertThat(notice.node().instanceId()).endsWith(doomed);
            assertThat(notice.action()).isEqualTo("terminate");
            assertThat(notice.time()).isEqualTo(when);

            // The replacement starts at once, while the doomed machine still runs; the task running
            // there finishes and its result arrives; work meanwhile goes elsewhere, each item once.
            PoolEvent.NodeReplacing replacing = (PoolEvent.NodeReplacing) await(events,
                    e -> e instanceof PoolEvent.NodeReplacing r && r.rank() == 1, Duration.ofSeconds(30));
            assertThat(cloud.instances(poolId, "running")).extracting(i -> i.instanceId())
                    .as("the replacement started before the instance went").contains(doomed);
            log.info("replacing rank 1: {}", replacing.reason());
            List<Integer> items = IntStream.range(0, 200).boxed().toList();
            assertThat(pool.map(items, (ctx, x) -> x)).as("every item once, in order").isEqualTo(items);
            assertThat(running.get(60, TimeUnit.SECONDS)).isEqualTo("finished on 1");

            // The cloud reclaims the instance (if the pool has not given it back already): terminated
            // in EC2, its machine (host, user, processes) gone. Rank 1 is served by the new machine.
            cloud.moto.ec2().terminateInstances(b -> b.instanceIds(doomed));
            PoolEvent.NodeReplaced replaced = (PoolEvent.NodeReplaced) await(events,
                    e -> e instanceof PoolEvent.NodeReplaced r && r.node().rank() == 1, Duration.ofSeconds(120));
            assertThat(ec2Id(replaced.node().instanceId())).isNotEqualTo(doomed);
            assertThat(pool.nodes()).hasSize(2).noneMatch(NodeInfo::isLost);
            assertThat(pool.map(items, (ctx, x) -> x)).as("after the reclaim, every item once").isEqualTo(items);
            assertThat(events).filteredOn(e -> e instanceof PoolEvent.NodePreempting).hasSize(1);
            assertThat(events).filteredOn(e -> e instanceof PoolEvent.NodeNotReplaced).isEmpty();

            assertThat(imds.unauthorized()).as("every look carried a token").isZero();
            assertThat(imds.noticeReads(spared)).as("node 0 is spot too: it watched, and saw nothing").isPositive();
            assertThat(cloud.instances(poolId, "terminated")).extracting(i -> i.instanceId()).contains(doomed);
        }
        cloud.assertNothingLeft(poolId);
        assertThat(listening(imdsPort)).as("the metadata stand-in's port").isFalse();
    }

    @Test
    void aMetadataEndpointThatIsNotAnHttpAddressIsRefusedBeforeAnythingStarts() {
        assertThatThrownBy(() -> Aws.builder().metadataEndpoint(URI.create("169.254.169.254")))
                .isInstanceOf(PoolConfigurationException.class).hasMessageContaining("http://169.254.169.254");
        assertThat(Aws.builder().metadataEndpoint(URI.create("http://[fd00:ec2::254]"))).isNotNull();
    }

    private static String ec2Id(String instanceId) {
        return instanceId.substring(instanceId.indexOf('/') + 1);
    }

    private static PoolEvent await(List<PoolEvent> events, Predicate<PoolEvent> which, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (PoolEvent e : events) {
                if (which.test(e)) {
                    return e;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no such event within " + timeout + "; events: " + events);
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
