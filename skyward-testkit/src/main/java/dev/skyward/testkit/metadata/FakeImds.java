package dev.skyward.testkit.metadata;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the EC2 instance metadata service, IMDSv2 only (what instances launched with
 * {@code HttpTokens=required} have), on 127.0.0.1. It serves many instances, each under its own path
 * prefix ({@link #endpoint(String)}), and holds them to the same handshake as AWS:
 *
 * <ul>
 *   <li>{@code PUT /latest/api/token} with {@code X-aws-ec2-metadata-token-ttl-seconds: 1..21600}
 *       → 200 and a token; without the header, or out of range → 400; any other method → 405;
 *   <li>{@code GET /latest/meta-data/...} without a valid, unexpired {@code X-aws-ec2-metadata-token}
 *       → 401 (a token is valid only for the instance it was issued to);
 *   <li>{@code GET /latest/meta-data/spot/instance-action} → 404 until {@link #postNotice} posts one,
 *       then 200 with {@code {"action":"terminate","time":"2026-12-02T08:22:00Z"}}.
 * </ul>
 *
 * <pre>{@code
 * try (FakeImds imds = FakeImds.start()) {
 *     URI forAgent = imds.endpoint("i-0abc");        // what the node's agent is told to watch
 *     imds.postNotice("i-0abc", "terminate", Instant.now().plusSeconds(120));
 * }
 * }</pre>
 */
public final class FakeImds implements AutoCloseable {

    private static final String TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds";
    private static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, String> notices = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> tokensIssued = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> noticeReads = new ConcurrentHashMap<>();
    private final AtomicInteger unauthorized = new AtomicInteger();

    private record Token(String instance, long expiresNanos) {
    }

    private FakeImds(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts the service on a free port of 127.0.0.1.
     *
     * @return the running service
     * @throws IOException when it cannot listen
     */
    public static FakeImds start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "fake-imds");
            t.setDaemon(true);
            return t;
        });
        FakeImds imds = new FakeImds(server, executor);
        server.createContext("/", imds::handle);
        server.setExecutor(executor);
        server.start();
        return imds;
    }

    /**
     * The address an instance's agent is given as its metadata service.
     *
     * @param instanceId e.g. {@code i-0abc}
     * @return e.g. {@code http://127.0.0.1:40123/i-0abc}
     */
    public URI endpoint(String instanceId) {
        return URI.create("http://127.0.0.1:" + port() + "/" + instanceId);
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * Posts the spot interruption notice for one instance, as AWS does two minutes before it acts.
     *
     * @param instanceId the instance
     * @param action {@code terminate}, {@code stop} or {@code hibernate}
     * @param time when the cloud acts
     */
    public void postNotice(String instanceId, String action, Instant time) {
        notices.put(instanceId, "{\"action\":\"" + action + "\",\"time\":\"" + time + "\"}");
    }

    /** How many tokens an instance was issued. */
    public int tokensIssued(String instanceId) {
        return counter(tokensIssued, instanceId).get();
    }

    /** How many times an instance's instance-action was read with a valid token (404s included). */
    public int noticeReads(String instanceId) {
        return counter(noticeReads, instanceId).get();
    }

    /** Metadata reads refused for a missing, wrong or expired token, over all instances. */
    public int unauthorized() {
        return unauthorized.get();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            int slash = path.indexOf('/', 1);
            if (slash < 0) {
                answer(x, 404, "not found");
                return;
            }
            String instance = path.substring(1, slash);
            String rest = path.substring(slash);
            if (rest.equals("/latest/api/token")) {
                token(x, instance);
            } else if (rest.startsWith("/latest/meta-data/")) {
                metadata(x, instance, rest.substring("/latest/meta-data/".length()));
            } else {
                answer(x, 404, "not found");
            }
        }
    }

    private void token(HttpExchange x, String instance) throws IOException {
        if (!x.getRequestMethod().equals("PUT")) {
            answer(x, 405, "method not allowed");
            return;
        }
        String ttl = x.getRequestHeaders().getFirst(TTL_HEADER);
        int seconds;
        try {
            seconds = ttl == null ? -1 : Integer.parseInt(ttl.strip());
        } catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds < 1 || seconds > 21600) {
            answer(x, 400, "bad request");
            return;
        }
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        tokens.put(token, new Token(instance, System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds)));
        counter(tokensIssued, instance).incrementAndGet();
        answer(x, 200, token);
    }

    private void metadata(HttpExchange x, String instance, String item) throws IOException {
        if (!x.getRequestMethod().equals("GET")) {
            answer(x, 405, "method not allowed");
            return;
        }
        String given = x.getRequestHeaders().getFirst(TOKEN_HEADER);
        Token t = given == null ? null : tokens.get(given);
        if (t == null || !t.instance().equals(instance) || System.nanoTime() > t.expiresNanos()) {
            unauthorized.incrementAndGet();
            answer(x, 401, "unauthorized");
            return;
        }
        if (item.equals("spot/instance-action")) {
            counter(noticeReads, instance).incrementAndGet();
            String notice = notices.get(instance);
            if (notice == null) {
                answer(x, 404, "not found");
            } else {
                x.getResponseHeaders().set("Content-Type", "text/plain");
                answer(x, 200, notice);
            }
        } else if (item.equals("instance-id")) {
            answer(x, 200, instance);
        } else {
            answer(x, 404, "not found");
        }
    }

    private static void answer(HttpExchange x, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static AtomicInteger counter(Map<String, AtomicInteger> m, String instance) {
        return m.computeIfAbsent(instance, k -> new AtomicInteger());
    }

    /** Stops listening; the port is free when this returns. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
