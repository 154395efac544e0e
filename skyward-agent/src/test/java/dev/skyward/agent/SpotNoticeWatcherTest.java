package dev.skyward.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.testkit.metadata.FakeImds;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agent's watch for a spot interruption notice, against a loopback IMDSv2 stand-in that holds it
 * to AWS's token handshake: nothing while the service answers 404, the notice reported exactly once
 * when it appears, and a service that cannot be reached is no error.
 */
@Timeout(60)
class SpotNoticeWatcherTest {

    private static final Instant WHEN = Instant.parse("2026-12-02T08:22:00Z");

    private FakeImds imds;
    private final List<SpotNoticeWatcher.Notice> reported = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        imds = FakeImds.start();
    }

    @AfterEach
    void stop() {
        imds.close();
    }

    @Test
    void theMetadataServiceRefusesReadsWithoutATokenLikeImdsV2() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI action = URI.create(imds.endpoint("i-1") + "/latest/meta-data/spot/instance-action");
        assertThat(http.send(HttpRequest.newBuilder(action).GET().build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(401);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(imds.endpoint("i-1") + "/latest/api/token"))
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).as("a token without a TTL").isEqualTo(400);
        String other = http.send(HttpRequest.newBuilder(URI.create(imds.endpoint("i-2") + "/latest/api/token"))
                .header("X-aws-ec2-metadata-token-ttl-seconds", "60").PUT(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(http.send(HttpRequest.newBuilder(action).header("X-aws-ec2-metadata-token", other).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).as("another instance's token").isEqualTo(401);
        assertThat(imds.unauthorized()).isEqualTo(2);
    }

    @Test
    void whileThereIsNoNoticeNothingIsReportedAndOneTokenServesEveryLook() {
        SpotNoticeWatcher w = watcher("i-1");
        for (int i = 0; i < 5; i++) {
            assertThat(w.poll()).isEmpty();
        }
        assertThat(reported).isEmpty();
        assertThat(imds.noticeReads("i-1")).isEqualTo(5);
        assertThat(imds.tokensIssued("i-1")).isEqualTo(1);
        assertThat(imds.unauthorized()).isZero();
    }

    @Test
    void aNoticeIsReportedOnceWithItsActionAndTime() {
        SpotNoticeWatcher w = watcher("i-1");
        assertThat(w.poll()).isEmpty();
        imds.postNotice("i-1", "terminate", WHEN);
        imds.postNotice("i-2", "stop", WHEN); // another instance's notice is not this one's

        assertThat(w.poll()).contains(new SpotNoticeWatcher.Notice("terminate", "2026-12-02T08:22:00Z"));
        assertThat(w.poll()).isEmpty();
        assertThat(w.poll()).isEmpty();
        assertThat(reported).containsExactly(new SpotNoticeWatcher.Notice("terminate", "2026-12-02T08:22:00Z"));
        assertThat(imds.noticeReads("i-1")).as("no look after the notice").isEqualTo(2);
        assertThat(w.reported()).isTrue();
    }

    @Test
    void onItsScheduleTheWatcherReportsOnceAndStopsLooking() throws Exception {
        try (SpotNoticeWatcher w = new SpotNoticeWatcher(imds.endpoint("i-1"), Duration.ofMillis(100), reported::add)) {
            w.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (imds.noticeReads("i-1") < 3 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(reported).isEmpty();
            imds.postNotice("i-1", "hibernate", WHEN);
            while (reported.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(reported).extracting(SpotNoticeWatcher.Notice::action).containsExactly("hibernate");
            int reads = imds.noticeReads("i-1");
            Thread.sleep(500);
            assertThat(imds.noticeReads("i-1")).isEqualTo(reads);
            assertThat(reported).hasSize(1);
        }
    }

    @Test
    void aMetadataServiceThatCannotBeReachedIsNoErrorAndLooksGoOn() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        SpotNoticeWatcher w = new SpotNoticeWatcher(URI.create("http://127.0.0.1:" + closed), Duration.ofSeconds(1),
                reported::add);
        assertThat(w.poll()).isEmpty();
        assertThat(w.poll()).isEmpty();
        assertThat(reported).isEmpty();
    }

    @Test
    void theNoticeIsReadAsAwsWritesIt() {
        assertThat(SpotNoticeWatcher.parse("{\"action\": \"stop\", \"time\": \"2026-12-02T08:22:00Z\"}"))
                .isEqualTo(new SpotNoticeWatcher.Notice("stop", "2026-12-02T08:22:00Z"));
        assertThat(SpotNoticeWatcher.parse("{}")).as("a notice without fields still means the machine goes")
                .isEqualTo(new SpotNoticeWatcher.Notice("terminate", ""));
    }

    private SpotNoticeWatcher watcher(String instance) {
        return new SpotNoticeWatcher(imds.endpoint(instance), Duration.ofSeconds(1), reported::add);
    }
}
