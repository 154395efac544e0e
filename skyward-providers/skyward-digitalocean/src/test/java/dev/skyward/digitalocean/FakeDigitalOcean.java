package dev.skyward.digitalocean;

import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.skyward.offer.Catalog;
import dev.skyward.spi.Offer;
import dev.skyward.spi.SshEndpoint;
import dev.skyward.testkit.hosts.CloudHosts;
import dev.skyward.testkit.hosts.SshHost;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stateful DigitalOcean API on loopback whose droplets are real hosts (cloud-in-a-box): creating a
 * droplet brings up a {@link CloudHosts} host that accepts exactly the droplet's SSH keys; the droplet
 * reports {@code new} with no address until the host is up and the boot delay passed, then
 * {@code active} with the host's address as its public IPv4. Destroying it stops the host after the
 * delete delay. Follows the spec's prose rules (GPU droplets only with {@code type=gpus}, which cannot
 * be combined with {@code tag_name}; {@code names[]} at most 10; the dangerous destroy needs
 * {@code X-Dangerous: true}) and pages with {@code links.pages.next}.
 *
 * <p>Every request and every response is validated against DigitalOcean's OpenAPI spec; an invalid
 * request is answered 400 (as the real API would refuse it) and every violation is kept in
 * {@link #violations()}, which tests assert empty.
 *
 * <p>Errors are injected per call with {@link #inject}: capacity, droplet limit, bad token, 429 with
 * {@code ratelimit-reset}, 5xx.
 */
final class FakeDigitalOcean implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FakeDigitalOcean.class);
    private static final Set<String> IMAGES = Set.of("gpu-h100x1-base", "gpu-h100x8-base", "gpu-amd-base",
            "ubuntu-24-04-x64");

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final CloudHosts hosts;
    private final Set<String> tokens = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ExecutorService machines = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-do-machine");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong ids = new AtomicLong(3164400);
    private final Map<Long, FakeDroplet> droplets = new TreeMap<>();
    private final Map<Long, ObjectNode> keys = new TreeMap<>();
    private final Map<String, ObjectNode> sizes = new LinkedHashMap<>();
    private final List<Injection> injections = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile Duration bootDelay = Duration.ofMillis(300);
    private volatile Duration deleteDelay = Duration.ofMillis(300);
    private volatile int dropletLimit = 25;
    private volatile Duration listingLag = Duration.ZERO;
    private volatile int defaultPerPage = 20;

    private FakeDigitalOcean(CloudHosts hosts, String token) throws IOException {
        this.hosts = hosts;
        this.tokens.add(token);
        loadSizes();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "fake-do-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * @param hosts where the droplets' machines come up
     * @param token the only token the fake accepts
     */
    static FakeDigitalOcean start(CloudHosts hosts, String token) throws IOException {
        return new FakeDigitalOcean(hosts, token);
    }

    /** {@code http://127.0.0.1:PORT}, for {@link DigitalOcean.Builder#baseUrl}. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** How a client reaches the droplet at this public address (its host's user and port). */
    SshEndpoint login(String publicIp) {
        SshHost h = hosts.at(publicIp).orElseThrow(() -> new IllegalStateException("no droplet host at " + publicIp));
        return new SshEndpoint(h.address(), h.port(), h.user());
    }

    /** Accepts another token too (e.g. the self-destruct token a node uses). */
    void acceptToken(String token) {
        tokens.add(token);
    }

    void bootDelay(Duration d) {
        bootDelay = d;
    }

    void deleteDelay(Duration d) {
        deleteDelay = d;
    }

    /** New droplets appear in listings only this long after they were created (GET by id sees them at once). */
    void listingLag(Duration lag) {
        listingLag = lag;
    }

    void dropletLimit(int limit) {
        dropletLimit = limit;
    }

    void perPage(int n) {
        defaultPerPage = n;
    }

    /** Marks a size unavailable everywhere ({@code available: false} in /v2/sizes). */
    synchronized void sizeAvailable(String slug, boolean available) {
        sizes.get(slug).put("available", available);
    }

    /**
     * Answers the next {@code times} calls matching method and path with an error.
     *
     * @param method HTTP method
     * @param pathPrefix path prefix, e.g. {@code /v2/droplets}
     * @param times how many calls (-1: every one)
     * @param status HTTP status
     * @param id DigitalOcean's error id
     * @param message its message
     * @param headers extra headers (e.g. {@code ratelimit-reset})
     */
    void inject(String method, String pathPrefix, int times, int status, String id, String message,
            Map<String, String> headers) {
        injections.add(new Injection(ex -> ex.method.equals(method) && ex.path.startsWith(pathPrefix), times, status,
                id, message, headers));
    }

    /** Refuses droplet creation in a region with DigitalOcean's capacity error, every time. */
    void noCapacityIn(String region) {
        injections.add(new Injection(ex -> ex.method.equals("POST") && ex.path.equals("/v2/droplets")
                && ex.body != null && region.equals(ex.body.path("region").asText()), -1, 422,
                "unprocessable_entity", "Size is not available in this region.", Map.of()));
    }

    /**
     * Accepts {@code accepted} droplet creations in a region, then refuses every further one there
     * with the capacity error (a region that runs out halfway through a pool).
     */
    void capacityRunsOutIn(String region, int accepted) {
        java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(accepted);
        injections.add(new Injection(ex -> ex.method.equals("POST") && ex.path.equals("/v2/droplets")
                && ex.body != null && region.equals(ex.body.path("region").asText()) && left.getAndDecrement() <= 0,
                -1, 422, "unprocessable_entity", "Size is not available in this region.", Map.of()));
    }

    /** The next {@code times} calls answer 429 until {@code reset} from now. */
    void rateLimit(int times, Duration reset) {
        long at = Instant.now().plus(reset).getEpochSecond() + (reset.toMillis() % 1000 == 0 ? 0 : 1);
        injections.add(new Injection(ex -> true, times, 429, "too_many_requests", "API rate limit exceeded.",
                Map.of("ratelimit-reset", Long.toString(at), "ratelimit-remaining", "0")));
    }

    /** Drops every injected failure. */
    void clearInjections() {
        injections.clear();
    }

    /** Every spec violation seen, requests and responses. */
    List<String> violations() {
        return List.copyOf(violations);
    }

    /** Forgets the violations seen so far (after a test that provokes one on purpose). */
    void clearViolations() {
        violations.clear();
    }

    /** Every request seen, as {@code METHOD path?query}. */
    List<String> requests() {
        return List.copyOf(requests);
    }

    /** Droplets that exist (any status) — what the account is billed for. */
    synchronized List<FakeDroplet> droplets() {
        return List.copyOf(droplets.values());
    }

    synchronized int keyCount() {
        return keys.size();
    }

    // ---- HTTP ----

    private record Exchange(String method, String path, Map<String, List<String>> query, JsonNode body,
            String rawBody, HttpExchange http) {
        String param(String name) {
            List<String> v = query.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    private record Reply(int status, JsonNode body, Map<String, String> headers) {
        static Reply of(int status, JsonNode body) {
            return new Reply(status, body, Map.of());
        }
    }

    private static final class Injection {
        final Predicate<Exchange> matches;
        int times;
        final int status;
        final String id;
        final String message;
        final Map<String, String> headers;

        Injection(Predicate<Exchange> matches, int times, int status, String id, String message,
                Map<String, String> headers) {
            this.matches = matches;
            this.times = times;
            this.status = status;
            this.id = id;
            this.message = message;
            this.headers = headers;
        }
    }

    private void handle(HttpExchange http) throws IOException {
        try {
            String raw = new String(http.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = http.getRequestURI().getRawPath();
            Map<String, List<String>> query = parseQuery(http.getRequestURI().getRawQuery());
            JsonNode body = raw.isBlank() ? null : json.readTree(raw);
            Exchange ex = new Exchange(http.getRequestMethod(), path, query, body, raw, http);
            if (path.startsWith("/fake/")) {
                send(http, machineCall(ex), null);
                return;
            }
            requests.add(ex.method + " " + path + (http.getRequestURI().getRawQuery() == null ? ""
                    : "?" + http.getRequestURI().getRawQuery()));
            Request request = validatorRequest(ex);
            ValidationReport requestReport = DigitalOceanSpec.validator().validateRequest(request);
            Reply reply;
            if (requestReport.hasErrors()) {
                String m = messages(requestReport);
                violations.add("request " + ex.method + " " + path + ": " + m);
                reply = error(400, "bad_request", "request does not follow the API spec: " + m);
            } else {
                reply = dispatch(ex);
            }
            send(http, reply, request);
        } catch (RuntimeException | Error e) {
            log.error("fake DigitalOcean failed", e);
            violations.add("fake failed: " + e);
            send(http, error(500, "server_error", "Unexpected server-side error"), null);
        } finally {
            http.close();
        }
    }

    private void send(HttpExchange http, Reply reply, Request validatedRequest) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("ratelimit-limit", "5000");
        headers.put("ratelimit-remaining", "4999");
        headers.put("ratelimit-reset", Long.toString(Instant.now().getEpochSecond() + 60));
        headers.putAll(reply.headers);
        String text = reply.body == null ? "" : reply.body.toString();
        if (validatedRequest != null) {
            SimpleResponse.Builder rb = SimpleResponse.Builder.status(reply.status);
            headers.forEach(rb::withHeader);
            if (reply.body != null) {
                rb.withContentType("application/json").withBody(text);
            }
            ValidationReport report = DigitalOceanSpec.validator().validateResponse(validatedRequest.getPath(),
                    validatedRequest.getMethod(), rb.build());
            if (report.hasErrors()) {
                violations.add("response " + reply.status + " to " + validatedRequest.getMethod() + " "
                        + validatedRequest.getPath() + ": " + messages(report));
            }
        }
        headers.forEach((k, v) -> http.getResponseHeaders().set(k, v));
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (reply.body != null) {
            http.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        }
        http.sendResponseHeaders(reply.status, reply.status == 204 || bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0 && reply.status != 204) {
            try (OutputStream out = http.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static String messages(ValidationReport report) {
        return report.getMessages().stream().filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                .map(FakeDigitalOcean::describe).collect(Collectors.joining("; "));
    }

    private static String describe(ValidationReport.Message m) {
        String nested = m.getNestedMessages().stream().map(FakeDigitalOcean::describe)
                .collect(Collectors.joining(", "));
        return m.getKey() + ": " + m.getMessage() + (nested.isEmpty() ? "" : " [" + nested + "]");
    }

    private static Request validatorRequest(Exchange ex) {
        SimpleRequest.Builder b = new SimpleRequest.Builder(ex.method, ex.path);
        ex.http.getRequestHeaders().forEach((k, v) -> b.withHeader(k, v));
        ex.query.forEach((k, v) -> b.withQueryParam(k, v));
        if (!ex.rawBody.isBlank()) {
            b.withBody(ex.rawBody);
        }
        return b.build();
    }

    private static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return q;
    }

    private Reply dispatch(Exchange ex) {
        String auth = ex.http.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ") || !tokens.contains(auth.substring(7))) {
            return error(401, "unauthorized", "Unable to authenticate you.");
        }
        for (Injection inj : injections) {
            synchronized (inj) {
                if (inj.times != 0 && inj.matches.test(ex)) {
                    if (inj.times > 0) {
                        inj.times--;
                    }
                    return new Reply(inj.status, errorBody(inj.id, inj.message), inj.headers);
                }
            }
        }
        String p = ex.path;
        synchronized (this) {
            if (p.equals("/v2/account") && ex.method.equals("GET")) {
                return account();
            }
            if (p.equals("/v2/account/keys")) {
                return ex.method.equals("GET") ? page(ex, "ssh_keys", List.copyOf(keys.values())) : createKey(ex);
            }
            if (p.startsWith("/v2/account/keys/") && ex.method.equals("DELETE")) {
                return deleteKey(p.substring("/v2/account/keys/".length()));
            }
            if (p.equals("/v2/sizes") && ex.method.equals("GET")) {
                return page(ex, "sizes", List.copyOf(sizes.values()));
            }
            if (p.equals("/v2/droplets")) {
                return ex.method.equals("GET") ? listDroplets(ex) : ex.method.equals("POST") ? createDroplets(ex)
                        : error(405, "method_not_allowed", "not supported by this fake");
            }
            if (p.matches("/v2/droplets/\\d+") && ex.method.equals("GET")) {
                FakeDroplet d = droplets.get(Long.parseLong(p.substring("/v2/droplets/".length())));
                return d == null ? notFound() : Reply.of(200, json.createObjectNode().set("droplet", d.json()));
            }
            if (p.matches("/v2/droplets/\\d+/destroy_with_associated_resources/dangerous")
                    && ex.method.equals("DELETE")) {
                return destroy(ex, Long.parseLong(p.split("/")[3]));
            }
        }
        return error(404, "not_found", "The resource you were accessing could not be found.");
    }

    private Reply account() {
        ObjectNode a = json.createObjectNode();
        a.put("droplet_limit", dropletLimit).put("floating_ip_limit", 3).put("email", "skyward@example.com")
                .put("uuid", "b6fr89dbf6d9156cace5f3c78dc9851d957381ef").put("email_verified", true)
                .put("status", "active").put("status_message", "");
        return Reply.of(200, json.createObjectNode().set("account", a));
    }

    private Reply createKey(Exchange ex) {
        String pub = ex.body.path("public_key").asText();
        for (ObjectNode k : keys.values()) {
            if (k.path("public_key").asText().equals(pub)) {
                return error(422, "unprocessable_entity", "SSH Key is already in use on your account");
            }
        }
        long id = ids.incrementAndGet();
        ObjectNode k = json.createObjectNode();
        k.put("id", id).put("fingerprint", fingerprint(pub)).put("public_key", pub)
                .put("name", ex.body.path("name").asText());
        keys.put(id, k);
        return Reply.of(201, json.createObjectNode().set("ssh_key", k));
    }

    private Reply deleteKey(String idOrFingerprint) {
        Long id = keys.values().stream().filter(k -> k.path("id").asText().equals(idOrFingerprint)
                || k.path("fingerprint").asText().equals(idOrFingerprint)).map(k -> k.path("id").asLong()).findFirst()
                .orElse(null);
        if (id == null) {
            return notFound();
        }
        keys.remove(id);
        return new Reply(204, null, Map.of());
    }

    private Reply createDroplets(Exchange ex) {
        JsonNode b = ex.body;
        List<String> names = new ArrayList<>();
        if (b.has("names")) {
            b.path("names").forEach(n -> names.add(n.asText()));
            if (names.size() > 10) {
                return error(422, "unprocessable_entity", "You may only create up to 10 Droplets at a time.");
            }
        } else {
            names.add(b.path("name").asText());
        }
        String region = b.path("region").asText();
        ObjectNode size = sizes.get(b.path("size").asText());
        if (size == null) {
            return error(422, "unprocessable_entity", "You specified an invalid size for Droplet creation.");
        }
        boolean inRegion = false;
        for (JsonNode r : size.path("regions")) {
            inRegion |= r.asText().equals(region);
        }
        if (!inRegion || !size.path("available").asBoolean()) {
            return error(422, "unprocessable_entity", "Size is not available in this region.");
        }
        String image = b.path("image").asText();
        if (!IMAGES.contains(image)) {
            return error(422, "unprocessable_entity", "You specified an invalid image for Droplet creation.");
        }
        if (droplets.size() + names.size() > dropletLimit) {
            return error(422, "unprocessable_entity", "creating this/these droplet(s) will exceed your droplet limit");
        }
        List<String> authorized = new ArrayList<>();
        for (JsonNode k : b.path("ssh_keys")) {
            ObjectNode key = keys.values().stream().filter(x -> x.path("id").asText().equals(k.asText())
                    || x.path("fingerprint").asText().equals(k.asText())).findFirst().orElse(null);
            if (key == null) {
                return error(422, "unprocessable_entity", "The ssh_keys value " + k + " is not a key on this account.");
            }
            authorized.add(key.path("public_key").asText());
        }
        List<String> tags = new ArrayList<>();
        b.path("tags").forEach(t -> tags.add(t.asText()));
        List<FakeDroplet> made = new ArrayList<>();
        for (String name : names) {
            FakeDroplet d = new FakeDroplet(ids.incrementAndGet(), name, region, size.deepCopy(), image, tags);
            droplets.put(d.id, d);
            made.add(d);
            boot(d, String.join("\n", authorized));
        }
        ObjectNode out = json.createObjectNode();
        ArrayNode actions = json.createArrayNode();
        for (FakeDroplet d : made) {
            actions.addObject().put("id", ids.incrementAndGet()).put("rel", "create")
                    .put("href", baseUrl() + "/v2/actions/" + ids.get());
        }
        if (b.has("names")) {
            ArrayNode arr = out.putArray("droplets");
            made.forEach(d -> arr.add(d.json()));
        } else {
            out.set("droplet", made.get(0).json());
        }
        out.putObject("links").set("actions", actions);
        return Reply.of(202, out);
    }

    /** The machine comes up in the background; the droplet stays {@code new} until it has. */
    private void boot(FakeDroplet d, String authorizedKeys) {
        machines.submit(() -> {
            long started = System.nanoTime();
            try {
                SshHost host = hosts.create(null, authorizedKeys, Map.of("poweroff", "#!/bin/sh\n"
                        + "# stand-in: a test host must never power this machine off\n"
                        + "exec curl -fsS -m 10 -X POST " + baseUrl() + "/fake/droplets/" + d.id + "/poweroff\n",
                        "shutdown", "#!/bin/sh\nexec poweroff\n"));
                long left = bootDelay.toNanos() - (System.nanoTime() - started);
                if (left > 0) {
                    TimeUnit.NANOSECONDS.sleep(left);
                }
                synchronized (this) {
                    if (d.deleting || !droplets.containsKey(d.id)) {
                        hosts.destroy(host);
                        return;
                    }
                    d.host = host;
                    d.status = "active";
                }
            } catch (Exception e) {
                log.error("droplet {}: host did not come up", d.id, e);
                violations.add("fake: host of droplet " + d.id + " did not come up: " + e);
            }
        });
    }

    private Reply listDroplets(Exchange ex) {
        String tag = ex.param("tag_name");
        String type = ex.param("type");
        String name = ex.param("name");
        if (tag != null && (type != null || name != null)) {
            return error(422, "unprocessable_entity", "tag_name cannot be combined with name or type");
        }
        boolean gpus = "gpus".equals(type);
        List<JsonNode> out = new ArrayList<>();
        for (FakeDroplet d : droplets.values()) {
            if (d.gpu() != gpus || (tag != null && !d.tags.contains(tag)) || (name != null && !d.name.equals(name))
                    || d.createdAt.plus(listingLag).isAfter(Instant.now())) {
                continue;
            }
            out.add(d.json());
        }
        return page(ex, "droplets", out);
    }

    private Reply destroy(Exchange ex, long id) {
        if (!"true".equals(ex.http.getRequestHeaders().getFirst("X-Dangerous"))) {
            return error(412, "precondition_failed", "The X-Dangerous header must be set to true to destroy a droplet "
                    + "with its associated resources.");
        }
        FakeDroplet d = droplets.get(id);
        if (d == null) {
            return notFound();
        }
        if (d.deleting) {
            return error(409, "conflict", "A destroy is already in progress for this Droplet.");
        }
        d.deleting = true;
        machines.submit(() -> {
            try {
                Thread.sleep(deleteDelay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            SshHost h;
            synchronized (this) {
                h = d.host;
                d.host = null;
            }
            if (h != null) {
                hosts.destroy(h);
            }
            synchronized (this) {
                droplets.remove(d.id);
            }
        });
        return new Reply(202, null, Map.of());
    }

    /** What a droplet's machine tells the fake (not part of DigitalOcean's API): it powered off. */
    private Reply machineCall(Exchange ex) {
        String[] parts = ex.path.split("/");
        if (parts.length == 4 && parts[2].equals("hosts")) {
            // For a client in another JVM: how to log in at this address (user and port of its host).
            return hosts.at(parts[3]).<Reply>map(h -> Reply.of(200, json.createObjectNode().put("user", h.user())
                    .put("port", h.port()))).orElseGet(this::notFound);
        }
        if (parts.length == 5 && parts[2].equals("droplets") && parts[4].equals("poweroff")) {
            FakeDroplet d;
            synchronized (this) {
                d = droplets.get(Long.parseLong(parts[3]));
            }
            if (d == null) {
                return notFound();
            }
            // The machine stops (its processes die with it) but the droplet stays, status off, billed.
            machines.submit(() -> {
                SshHost h;
                synchronized (this) {
                    h = d.host;
                    d.host = null;
                }
                if (h != null) {
                    hosts.destroy(h);
                }
                d.status = "off"; // once the machine is really down
            });
            return new Reply(204, null, Map.of());
        }
        return notFound();
    }

    private Reply page(Exchange ex, String key, List<? extends JsonNode> items) {
        int perPage = ex.param("per_page") != null ? Math.min(200, Integer.parseInt(ex.param("per_page")))
                : defaultPerPage;
        int page = ex.param("page") != null ? Integer.parseInt(ex.param("page")) : 1;
        int from = Math.min(items.size(), (page - 1) * perPage);
        int to = Math.min(items.size(), from + perPage);
        ObjectNode out = json.createObjectNode();
        ArrayNode arr = out.putArray(key);
        items.subList(from, to).forEach(arr::add);
        ObjectNode pages = out.putObject("links").putObject("pages");
        int last = Math.max(1, (items.size() + perPage - 1) / perPage);
        if (page < last) {
            pages.put("next", pageUrl(ex, page + 1, perPage));
            pages.put("last", pageUrl(ex, last, perPage));
        }
        if (page > 1) {
            pages.put("first", pageUrl(ex, 1, perPage));
            pages.put("prev", pageUrl(ex, page - 1, perPage));
        }
        out.putObject("meta").put("total", items.size());
        return Reply.of(200, out);
    }

    private String pageUrl(Exchange ex, int page, int perPage) {
        StringBuilder sb = new StringBuilder(baseUrl()).append(ex.path).append("?page=").append(page)
                .append("&per_page=").append(perPage);
        ex.query.forEach((k, v) -> {
            if (!k.equals("page") && !k.equals("per_page")) {
                v.forEach(x -> sb.append('&').append(k).append('=')
                        .append(java.net.URLEncoder.encode(x, StandardCharsets.UTF_8)));
            }
        });
        return sb.toString();
    }

    private Reply notFound() {
        return error(404, "not_found", "The resource you were accessing could not be found.");
    }

    private Reply error(int status, String id, String message) {
        return Reply.of(status, errorBody(id, message));
    }

    private ObjectNode errorBody(String id, String message) {
        return json.createObjectNode().put("id", id).put("message", message)
                .put("request_id", java.util.UUID.randomUUID().toString());
    }

    private static String fingerprint(String publicKey) {
        try {
            byte[] blob = Base64.getDecoder().decode(publicKey.trim().split("\\s+")[1]);
            byte[] md5 = MessageDigest.getInstance("MD5").digest(blob);
            String hex = HexFormat.of().formatHex(md5);
            return hex.replaceAll("(..)(?!$)", "$1:");
        } catch (Exception e) {
            throw new IllegalArgumentException("not an OpenSSH public key: " + publicKey, e);
        }
    }

    private void loadSizes() throws IOException {
        Catalog c;
        try (var r = new InputStreamReader(DigitalOcean.catalogResource().openStream(), StandardCharsets.UTF_8)) {
            c = Catalog.parse(DigitalOcean.NAME, "built-in", r);
        }
        Map<String, List<Offer>> byType = c.offers().stream()
                .collect(Collectors.groupingBy(Offer::instanceType, LinkedHashMap::new, Collectors.toList()));
        byType.forEach((slug, offers) -> {
            Offer o = offers.get(0);
            ObjectNode s = json.createObjectNode();
            s.put("slug", slug).put("memory", (int) Math.round(o.memoryGiB() * 1024)).put("vcpus", o.vcpus())
                    .put("disk", 500).put("transfer", 15.0).put("price_monthly", Math.round(o.onDemandPrice() * 672))
                    .put("price_hourly", o.onDemandPrice()).put("available", true)
                    .put("description", o.accelerator().name() + " GPU - " + o.accelerator().count() + "X");
            ArrayNode regions = s.putArray("regions");
            offers.forEach(x -> regions.add(x.region()));
            ObjectNode gpu = s.putObject("gpu_info");
            gpu.put("count", o.accelerator().count()).put("model", o.accelerator().name().toLowerCase());
            gpu.putObject("vram").put("amount", (int) o.accelerator().memoryGiB()).put("unit", "gib");
            sizes.put(slug, s);
        });
    }

    @Override
    public void close() {
        server.stop(0);
        List<FakeDroplet> left;
        synchronized (this) {
            left = List.copyOf(droplets.values());
        }
        for (FakeDroplet d : left) {
            if (d.host != null) {
                hosts.destroy(d.host);
            }
        }
        machines.shutdownNow();
    }

    /** A droplet as the fake holds it. */
    final class FakeDroplet {
        final long id;
        final String name;
        final String region;
        final ObjectNode size;
        final String image;
        final List<String> tags;
        final Instant createdAt = Instant.now();
        volatile String status = "new";
        volatile SshHost host;
        volatile boolean deleting;

        FakeDroplet(long id, String name, String region, ObjectNode size, String image, List<String> tags) {
            this.id = id;
            this.name = name;
            this.region = region;
            this.size = size;
            this.image = image;
            this.tags = List.copyOf(tags);
        }

        boolean gpu() {
            return size.path("slug").asText().startsWith("gpu-");
        }

        String status() {
            return status;
        }

        SshHost host() {
            return host;
        }

        List<String> tags() {
            return tags;
        }

        ObjectNode json() {
            ObjectNode d = FakeDigitalOcean.this.json.createObjectNode();
            d.put("id", id).put("name", name).put("memory", size.path("memory").asInt())
                    .put("vcpus", size.path("vcpus").asInt()).put("disk", size.path("disk").asInt())
                    .put("locked", false).put("status", status).put("created_at", createdAt.toString());
            d.putArray("features").add("droplet_agent").add("private_networking");
            d.putArray("backup_ids");
            d.putNull("next_backup_window");
            d.putArray("snapshot_ids");
            ObjectNode img = d.putObject("image");
            img.put("id", 166407044).put("name", "AI/ML Ready").put("distribution", "Ubuntu").put("slug", image)
                    .put("public", true).put("created_at", "2024-09-27T15:35:19Z").put("min_disk_size", 25)
                    .put("type", "base").put("size_gigabytes", 18.47).put("status", "available");
            img.putArray("regions").add(region);
            img.putArray("tags");
            d.putArray("volume_ids");
            d.set("size", size);
            d.put("size_slug", size.path("slug").asText());
            ObjectNode networks = d.putObject("networks");
            ArrayNode v4 = networks.putArray("v4");
            SshHost h = host;
            if (h != null && "active".equals(status)) {
                // The fake's private network is loopback too: nodes reach each other at the host's address.
                v4.addObject().put("ip_address", h.address()).put("netmask", "255.0.0.0")
                        .put("gateway", "127.0.0.1").put("type", "private");
                v4.addObject().put("ip_address", h.address()).put("netmask", "255.0.0.0")
                        .put("gateway", "127.0.0.1").put("type", "public");
            }
            networks.putArray("v6");
            ObjectNode r = d.putObject("region");
            r.put("name", region.toUpperCase()).put("slug", region).put("available", true);
            r.putArray("features").add("metadata");
            r.putArray("sizes").add(size.path("slug").asText());
            ArrayNode t = d.putArray("tags");
            tags.forEach(t::add);
            d.set("gpu_info", size.path("gpu_info").deepCopy());
            return d;
        }
    }
}
