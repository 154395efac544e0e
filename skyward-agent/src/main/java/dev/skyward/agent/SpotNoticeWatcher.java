package dev.skyward.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the EC2 instance metadata service for a spot interruption notice and reports it once.
 * IMDSv2, the only kind the pool's instances allow ({@code HttpTokens=required}): a session token
 * from {@code PUT /latest/api/token}, then {@code GET /latest/meta-data/spot/instance-action} with
 * it — 404 while there is no notice, 200 with {@code {"action":"terminate","time":"..."}} once AWS
 * has decided to take the instance, two minutes before it does.
 *
 * <p>Uses the JDK's HTTP client (no proxy: the metadata service is link-local) so the agent brings
 * no library for it. A metadata service that cannot be reached is warned about once and polled on:
 * a notice that cannot be read is the same as none, and loss detection still covers the node.
 */
final class SpotNoticeWatcher implements AutoCloseable {

    /** Made on first use, not with the class (its constants are read while SLF4J initialises): see {@link Agent}. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(SpotNoticeWatcher.class);
    }

    /** AWS gives two minutes' warning; a look every 2 s uses a negligible share of it. */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    /** The longest session token IMDSv2 hands out: one token serves the agent for six hours. */
    static final int TOKEN_TTL_SECONDS = 21600;
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Pattern ACTION = Pattern.compile("\"action\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern TIME = Pattern.compile("\"time\"\\s*:\\s*\"([^\"]*)\"");

    /**
     * What the cloud announced.
     *
     * @param action {@code terminate}, {@code stop} or {@code hibernate}
     * @param time when, as AWS wrote it (ISO-8601 UTC), or empty
     */
    record Notice(String action, String time) {
    }

    private final String base;
    private final Duration interval;
    private final Consumer<Notice> report;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .proxy(HttpClient.Builder.NO_PROXY).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(dev.skyward.wire.thread.DaemonThreads.named("skyward-spot-notice"));
    private String token;
    private long tokenRenewNanos;
    private boolean warned;
    private volatile boolean reported;

    /**
     * @param endpoint the metadata service, e.g. {@code http://169.254.169.254} (a path, if any, is
     *     kept as a prefix: a test's stand-in serves many instances)
     * @param interval the pause between looks
     * @param report told once, on the watcher's thread, when the notice appears
     */
    SpotNoticeWatcher(URI endpoint, Duration interval, Consumer<Notice> report) {
        String s = endpoint.toString();
        this.base = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        this.interval = interval;
        this.report = report;
    }

    void start() {
        Log.LOG.info("watching {} for a spot interruption notice every {} ms", base, interval.toMillis());
        // The first look waits a moment: the agent's start-up (class loading, the server) comes first.
        long first = Math.min(interval.toMillis(), 1000);
        timer.scheduleWithFixedDelay(this::poll, first, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether the notice has been reported. */
    boolean reported() {
        return reported;
    }

    /**
     * One look; reports the notice (and stops looking) when there is one. Never throws: the watcher's
     * schedule must go on.
     *
     * @return the notice, when this look found it
     */
    synchronized Optional<Notice> poll() {
        if (reported) {
            return Optional.empty();
        }
        try {
            HttpResponse<String> r = instanceAction(token());
            if (r.statusCode() == 401) {
                // The token expired or the service restarted: a fresh one, at once.
                token = null;
                r = instanceAction(token());
            }
            warned = false;
            if (r.statusCode() == 404) {
                return Optional.empty();
            }
            if (r.statusCode() != 200) {
                Log.LOG.debug("spot instance-action answered HTTP {}: {}", r.statusCode(), r.body());
                return Optional.empty();
            }
            Notice n = parse(r.body());
            reported = true;
            Log.LOG.warn("spot interruption notice: the cloud will {} this instance at {}", n.action(),
                    n.time().isEmpty() ? "an unknown time" : n.time());
            try {
                report.accept(n);
            } finally {
                timer.shutdown();
            }
            return Optional.of(n);
        } catch (IOException e) {
            unreachable(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            unreachable(e.toString());
        }
        return Optional.empty();
    }

    private void unreachable(String why) {
        token = null;
        if (!warned) {
            warned = true;
            Log.LOG.warn("the instance metadata service at {} cannot be read ({}); a spot interruption notice will not "
                    + "be seen until it can (loss of the node is still detected)", base, why);
        } else {
            Log.LOG.debug("instance metadata service: {}", why);
        }
    }

    private String token() throws IOException, InterruptedException {
        if (token != null && System.nanoTime() < tokenRenewNanos) {
            return token;
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/latest/api/token"))
                .timeout(TIMEOUT)
                .header("X-aws-ec2-metadata-token-ttl-seconds", Integer.toString(TOKEN_TTL_SECONDS))
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 || r.body().isBlank()) {
            throw new IOException("PUT /latest/api/token answered HTTP " + r.statusCode());
        }
        token = r.body().strip();
        // Renewed well before it expires: a look must never go out with a token about to lapse.
        tokenRenewNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(TOKEN_TTL_SECONDS - 300);
        return token;
    }

    private HttpResponse<String> instanceAction(String t) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/latest/meta-data/spot/instance-action"))
                .timeout(TIMEOUT).header("X-aws-ec2-metadata-token", t).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** AWS's two-field JSON; read with two patterns rather than a JSON library the agent would carry. */
    static Notice parse(String json) {
        Matcher a = ACTION.matcher(json);
        Matcher t = TIME.matcher(json);
        return new Notice(a.find() ? a.group(1) : "terminate", t.find() ? t.group(1) : "");
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
