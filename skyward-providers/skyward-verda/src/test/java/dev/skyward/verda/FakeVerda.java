package dev.skyward.verda;

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
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stateful Verda API on loopback whose instances are real hosts (cloud-in-a-box), answering the shapes
 * and codes Verda's Python and Go SDKs send and parse: OAuth2 client credentials and refresh tokens
 * (JSON or form-encoded) with expiring access tokens; {@code POST /instances} requiring
 * {@code location_code} and answering the new id as plain text; an instance {@code ordered}, then
 * {@code provisioning} while its {@link CloudHosts} host comes up (accepting exactly the registered keys
 * the create named), then {@code running} with the host's address as {@code ip}, or
 * {@code no_capacity} where capacity is switched off; {@code PUT /instances} actions with per-instance
 * results (202, or 207 when some failed); SSH keys at {@code /sshkeys} and {@code /ssh-keys};
 * availability with {@code isSpot} or {@code is_spot}; errors as {@code {"code","message"}}.
 *
 * <p>Injectable: capacity per location, insufficient funds, refused deletes, any answer for the next
 * matching calls (5xx, HTML from a proxy), the token lifetime and revocation.
 */
final class FakeVerda implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FakeVerda.class);
    static final String CLIENT_ID = "verda-client-fake";
    static final String CLIENT_SECRET = "s3cr3t-verda-fake";
    static final Set<String> IMAGES = Set.of(VerdaImages.GPU_OPEN, VerdaImages.GPU_VOLTA, VerdaImages.CPU);

    /** How the create answer is written: Verda sends plain text; the client also takes the other two. */
    enum CreateAnswer { PLAIN_TEXT, JSON_STRING, JSON_OBJECT }

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final CloudHosts hosts;
    private final ExecutorService machines = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-verda-machine");
        t.setDaemon(true);
        return t;
    });
    private final List<Offer> catalog = Catalog.load(Verda.NAME).offers();
    private final Map<String, FakeInstance> instances = new LinkedHashMap<>();
    private final Map<String, ObjectNode> keys = new LinkedHashMap<>();
    private final Map<String, Long> accessTokens = new ConcurrentHashMap<>();
    private final Set<String> refreshTokens = ConcurrentHashMap.newKeySet();
    private final Set<String> noCapacity = ConcurrentHashMap.newKeySet();
    private final Set<String> issued = ConcurrentHashMap.newKeySet();
    private final List<Injection> injections = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private volatile Duration tokenLifetime = Duration.ofHours(1);
    private volatile Duration bootDelay = Duration.ofMillis(300);
    private volatile Duration deleteDelay = Duration.ofMillis(300);
    private volatile boolean insufficientFunds;
    private volatile int refuseDeletes;
    private volatile int failCreatesAfter = -1;
    private volatile CreateAnswer createAnswer = CreateAnswer.PLAIN_TEXT;

    private record Injection(String method, String pathPrefix, int[] left, int status, String contentType,
            String body) {
    }

    private static final class FakeInstance {
        final String id;
        final ObjectNode request;
        volatile String status = "ordered";
        volatile String ip;
        volatile SshHost host;
        /** When the create arrived: Verda's created_at (listings show ages from it). */
        final java.time.Instant created = java.time.Instant.now();
        /** Done when the machine is up, or will never be: a delete waits for it, so no host outlives its record. */
        final java.util.concurrent.CompletableFuture<Void> booted = new java.util.concurrent.CompletableFuture<>();

        FakeInstance(String id, ObjectNode request) {
            this.id = id;
            this.request = request;
        }
    }

    private FakeVerda(CloudHosts hosts) throws IOException {
        this.hosts = hosts;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-verda-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    static FakeVerda start(CloudHosts hosts) throws IOException {
        return new FakeVerda(hosts);
    }

    /** {@code http://127.0.0.1:PORT/v1}, for {@link Verda.Builder#baseUrl}. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** How a client reaches the instance at this public address (its host's user and port). */
    SshEndpoint login(String ip) {
        SshHost h = hosts.at(ip).orElseThrow(() -> new IllegalStateException("no instance host at " + ip));
        return new SshEndpoint(h.address(), h.port(), h.user());
    }

    // ---- knobs ----

    void tokenLifetime(Duration d) {
        tokenLifetime = d;
    }

    /** Every access token issued so far stops working (as after a revocation or a server restart). */
    void revokeTokens() {
        accessTokens.clear();
        refreshTokens.clear();
    }

    void bootDelay(Duration d) {
        bootDelay = d;
    }

    void noCapacityIn(String location) {
        noCapacity.add(location);
    }

    void insufficientFunds(boolean on) {
        insufficientFunds = on;
    }

    /** The next {@code n} instance ids in delete actions are refused (a 207 names them failed). */
    void refuseDeletes(int n) {
        refuseDeletes = n;
    }

    /** Creates succeed while fewer than {@code n} instances exist, then fail as out of capacity. */
    void failCreatesAfter(int n) {
        failCreatesAfter = n;
    }

    void createAnswer(CreateAnswer a) {
        createAnswer = a;
    }

    /** Answers the next {@code times} calls whose method and path (after /v1) match with this instead. */
    void inject(String method, String pathPrefix, int times, int status, String contentType, String body) {
        injections.add(new Injection(method, pathPrefix, new int[] {times}, status, contentType, body));
    }

    void injectError(String method, String pathPrefix, int times, int status, String code, String message) {
        inject(method, pathPrefix, times, status, "application/json",
                json.createObjectNode().put("code", code).put("message", message).toString());
    }

    void clear() {
        injections.clear();
        noCapacity.clear();
        insufficientFunds = false;
        refuseDeletes = 0;
        failCreatesAfter = -1;
        createAnswer = CreateAnswer.PLAIN_TEXT;
    }

    // ---- what tests read ----

    synchronized List<String> instanceIds() {
        return List.copyOf(instances.keySet());
    }

    synchronized Map<String, String> statuses() {
        Map<String, String> m = new LinkedHashMap<>();
        instances.values().forEach(i -> m.put(i.id, i.status));
        return m;
    }

    synchronized List<String> locationsOf(Set<String> ids) {
        return instances.values().stream().filter(i -> ids.contains(i.id))
                .map(i -> i.request.path("location_code").asText()).toList();
    }

    synchronized int keyCount() {
        return keys.size();
    }

    synchronized List<String> keyLines() {
        return keys.values().stream().map(k -> k.path("key").asText()).toList();
    }

    /** "METHOD /path" of every call, in order (bodies are not kept: they carry secrets). */
    List<String> requests() {
        return List.copyOf(requests);
    }

    /** Every access and refresh token ever issued (to check none is logged). */
    Set<String> issuedTokens() {
        return Set.copyOf(issued);
    }

    /** Requests the real API would refuse or that the SDKs never send; tests assert it empty. */
    List<String> violations() {
        return List.copyOf(violations);
    }

    /** The create requests' bodies, as sent. */
    synchronized List<JsonNode> createRequests() {
        return instances.values().stream().map(i -> (JsonNode) i.request).toList();
    }

    // ---- HTTP ----

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getPath();
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            byte[] in = ex.getRequestBody().readAllBytes();
            String body = new String(in, StandardCharsets.UTF_8);
            requests.add(method + " " + path);
            if (path.startsWith("/fake/")) {
                fakeControl(ex, method, path);
                return;
            }
            if (!path.startsWith("/v1/")) {
                error(ex, 404, "not_found", "no such path " + path);
                return;
            }
            String p = path.substring(3);
            for (Injection inj : injections) {
                if (inj.method().equals(method) && p.startsWith(inj.pathPrefix())) {
                    synchronized (inj) {
                        if (inj.left()[0] > 0) {
                            inj.left()[0]--;
                            send(ex, inj.status(), inj.contentType(), inj.body());
                            return;
                        }
                    }
                }
            }
            if (p.equals("/oauth2/token") && method.equals("POST")) {
                token(ex, body, ex.getRequestHeaders().getFirst("Content-Type"));
                return;
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
            Long expires = token == null ? null : accessTokens.get(token);
            if (expires == null || expires < System.currentTimeMillis()) {
                error(ex, 401, "unauthorized_request", token == null ? "Missing access token"
                        : "Invalid or expired access token");
                return;
            }
            route(ex, method, p, query, body);
        } catch (RuntimeException e) {
            log.warn("fake Verda failed", e);
            violations.add("fake failed: " + e);
            error(ex, 500, "server_error", "internal error");
        }
    }

    private void route(HttpExchange ex, String method, String p, Map<String, String> q, String body)
            throws IOException {
        String[] parts = p.split("/");
        switch (method + " " + (parts.length > 1 ? parts[1] : "")) {
            case "GET instance-types" -> sendJson(ex, 200, instanceTypes());
            case "GET locations" -> sendJson(ex, 200, locations());
            case "GET images" -> sendJson(ex, 200, images());
            case "GET instance-availability" -> availability(ex, parts, q);
            case "GET instances" -> {
                if (parts.length == 3) {
                    getInstance(ex, parts[2]);
                } else {
                    listInstances(ex, q.get("status"));
                }
            }
            case "POST instances" -> createInstance(ex, body);
            case "PUT instances" -> action(ex, body);
            case "GET sshkeys", "GET ssh-keys" -> listKeys(ex, parts.length == 3 ? parts[2] : null);
            case "POST sshkeys", "POST ssh-keys" -> addKey(ex, body);
            case "DELETE sshkeys", "DELETE ssh-keys" -> deleteKeys(ex, parts.length == 3 ? parts[2] : null, body);
            default -> error(ex, 404, "not_found", "no such endpoint " + method + " " + p);
        }
    }

    private void token(HttpExchange ex, String body, String contentType) throws IOException {
        Map<String, String> f;
        if (contentType != null && contentType.startsWith("application/x-www-form-urlencoded")) {
            f = query(body);
        } else {
            f = new HashMap<>();
            try {
                json.readTree(body).fields().forEachRemaining(e -> f.put(e.getKey(), e.getValue().asText()));
            } catch (IOException | RuntimeException e) {
                error(ex, 400, "invalid_request", "request body is not JSON");
                return;
            }
        }
        String grant = f.get("grant_type");
        if (grant == null) {
            error(ex, 400, "invalid_request", "grant_type is missing");
            return;
        }
        switch (grant) {
            case "client_credentials" -> {
                if (!CLIENT_ID.equals(f.get("client_id")) || !CLIENT_SECRET.equals(f.get("client_secret"))) {
                    error(ex, 401, "unauthorized_request", "Invalid client credentials");
                    return;
                }
            }
            case "refresh_token" -> {
                if (f.get("refresh_token") == null || !refreshTokens.remove(f.get("refresh_token"))) {
                    error(ex, 401, "unauthorized_request", "Invalid refresh token");
                    return;
                }
            }
            default -> {
                error(ex, 400, "invalid_request", "unsupported grant_type " + grant);
                return;
            }
        }
        String access = "at-" + UUID.randomUUID();
        String refresh = "rt-" + UUID.randomUUID();
        accessTokens.put(access, System.currentTimeMillis() + tokenLifetime.toMillis());
        issued.add(access);
        issued.add(refresh);
        refreshTokens.add(refresh);
        sendJson(ex, 200, json.createObjectNode().put("access_token", access).put("refresh_token", refresh)
                .put("scope", "cloud-api-v1").put("token_type", "Bearer")
                .put("expires_in", Math.max(1, tokenLifetime.toSeconds())));
    }

    private ArrayNode instanceTypes() {
        ArrayNode a = json.createArrayNode();
        Set<String> seen = new HashSet<>();
        for (Offer o : catalog) {
            if (!seen.add(o.instanceType())) {
                continue;
            }
            ObjectNode t = a.addObject();
            t.put("id", UUID.nameUUIDFromBytes(o.instanceType().getBytes(StandardCharsets.UTF_8)).toString());
            t.put("instance_type", o.instanceType());
            t.put("description", o.accelerator().count() + "x " + o.accelerator().name());
            t.put("price_per_hour", Double.toString(o.onDemandPrice()));
            t.put("spot_price", o.hasSpot() ? Double.toString(o.spotPrice()) : "0");
            t.putObject("cpu").put("description", o.vcpus() + " CPU").put("number_of_cores", o.vcpus());
            t.putObject("gpu").put("description", o.accelerator().count() + "x " + o.accelerator().name())
                    .put("number_of_gpus", o.accelerator().count());
            t.putObject("memory").put("description", o.memoryGiB() + "GB RAM").put("size_in_gigabytes",
                    (int) o.memoryGiB());
            t.putArray("supported_os").add(VerdaImages.forType(o.instanceType()));
        }
        return a;
    }

    private ArrayNode locations() {
        ArrayNode a = json.createArrayNode();
        catalog.stream().map(Offer::region).distinct().forEach(c -> a.addObject().put("code", c)
                .put("name", c.startsWith("FIN") ? "Finland " + c.substring(4) : "Iceland " + c.substring(4))
                .put("country_code", c.startsWith("FIN") ? "FI" : "IS"));
        return a;
    }

    private ArrayNode images() {
        ArrayNode a = json.createArrayNode();
        for (String i : IMAGES) {
            a.addObject().put("id", UUID.nameUUIDFromBytes(i.getBytes(StandardCharsets.UTF_8)).toString())
                    .put("image_type", i).put("name", i).putArray("details");
        }
        return a;
    }

    private boolean available(String type, String location, boolean spot) {
        return !noCapacity.contains(location) && catalog.stream().anyMatch(o -> o.instanceType().equals(type)
                && o.region().equals(location) && (!spot || o.hasSpot()));
    }

    private void availability(HttpExchange ex, String[] parts, Map<String, String> q) throws IOException {
        String flag = q.containsKey("isSpot") ? q.get("isSpot") : q.get("is_spot");
        if (flag != null && !flag.equals("true") && !flag.equals("false")) {
            error(ex, 400, "invalid_request", "isSpot must be true or false");
            return;
        }
        boolean spot = "true".equals(flag);
        String location = q.get("location_code");
        if (parts.length == 3) {
            String loc = location;
            boolean any = catalog.stream().map(Offer::region).distinct()
                    .anyMatch(l -> (loc == null || l.equals(loc)) && available(parts[2], l, spot));
            send(ex, 200, "application/json", Boolean.toString(any));
            return;
        }
        ArrayNode a = json.createArrayNode();
        for (String l : catalog.stream().map(Offer::region).distinct().toList()) {
            if (location != null && !location.equals(l)) {
                continue;
            }
            ObjectNode e = a.addObject().put("location_code", l);
            ArrayNode types = e.putArray("availabilities");
            catalog.stream().filter(o -> o.region().equals(l) && available(o.instanceType(), l, spot))
                    .map(Offer::instanceType).distinct().forEach(types::add);
        }
        sendJson(ex, 200, a);
    }

    private synchronized ObjectNode view(FakeInstance i) {
        ObjectNode n = json.createObjectNode();
        n.put("id", i.id);
        n.put("instance_type", i.request.path("instance_type").asText());
        n.put("hostname", i.request.path("hostname").asText());
        n.put("description", i.request.path("description").asText());
        n.put("status", i.status);
        if (i.ip == null) {
            n.putNull("ip");
        } else {
            n.put("ip", i.ip);
        }
        Offer o = offer(i.request.path("instance_type").asText(), i.request.path("location_code").asText());
        boolean spot = i.request.path("is_spot").asBoolean();
        n.put("price_per_hour", o == null ? 0 : o.price(spot));
        n.put("location", i.request.path("location_code").asText());
        n.put("image", i.request.path("image").asText());
        n.put("is_spot", spot);
        n.put("contract", i.request.path("contract").asText(spot ? "SPOT" : "PAY_AS_YOU_GO"));
        n.set("ssh_key_ids", i.request.path("ssh_key_ids").deepCopy());
        n.put("created_at", i.created.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString());
        n.putNull("os_volume_id");
        return n;
    }

    private Offer offer(String type, String location) {
        return catalog.stream().filter(o -> o.instanceType().equals(type) && o.region().equals(location))
                .findFirst().orElse(null);
    }

    private void listInstances(HttpExchange ex, String status) throws IOException {
        ArrayNode a = json.createArrayNode();
        List<FakeInstance> all;
        synchronized (this) {
            all = List.copyOf(instances.values());
        }
        for (FakeInstance i : all) {
            if (status == null || status.equals(i.status)) {
                a.add(view(i));
            }
        }
        sendJson(ex, 200, a);
    }

    private void getInstance(HttpExchange ex, String id) throws IOException {
        FakeInstance i;
        synchronized (this) {
            i = instances.get(id);
        }
        if (i == null) {
            error(ex, 404, "not_found", "Instance " + id + " not found");
            return;
        }
        sendJson(ex, 200, view(i));
    }

    private void createInstance(HttpExchange ex, String body) throws IOException {
        ObjectNode req;
        try {
            req = (ObjectNode) json.readTree(body);
        } catch (IOException | ClassCastException e) {
            error(ex, 400, "invalid_request", "body is not a JSON object");
            return;
        }
        for (String f : List.of("instance_type", "image", "hostname", "description")) {
            if (!req.path(f).isTextual() || req.path(f).asText().isBlank()) {
                violations.add("create without " + f + ": " + body.replaceAll("\"key\":\"[^\"]*\"", ""));
                error(ex, 400, "invalid_request", f + " is required");
                return;
            }
        }
        if (!req.path("location_code").isTextual() || req.path("location_code").asText().isBlank()) {
            error(ex, 400, "invalid_request", "location_code is required");
            return;
        }
        if (!req.path("hostname").asText().matches("[a-zA-Z0-9][a-zA-Z0-9-]{0,59}")) {
            violations.add("bad hostname " + req.path("hostname").asText());
            error(ex, 400, "invalid_request", "hostname may contain letters, digits and dashes only");
            return;
        }
        String type = req.path("instance_type").asText();
        String location = req.path("location_code").asText();
        boolean spot = req.path("is_spot").asBoolean(false);
        String contract = req.path("contract").asText(spot ? "SPOT" : "PAY_AS_YOU_GO");
        if (spot != contract.equals("SPOT")) {
            violations.add("is_spot " + spot + " with contract " + contract);
            error(ex, 400, "invalid_request", "is_spot and contract disagree");
            return;
        }
        if (!IMAGES.contains(req.path("image").asText())) {
            error(ex, 400, "invalid_request", "Invalid image " + req.path("image").asText());
            return;
        }
        if (!req.path("image").asText().equals(VerdaImages.forType(type))) {
            violations.add("image " + req.path("image").asText() + " for " + type);
        }
        if (catalog.stream().noneMatch(o -> o.instanceType().equals(type))) {
            error(ex, 400, "invalid_request", "Invalid instance type " + type);
            return;
        }
        if (offer(type, location) == null || (spot && !offer(type, location).hasSpot())) {
            error(ex, 400, "invalid_request", "Instance type " + type + " is not available in " + location);
            return;
        }
        List<String> keyLines = new ArrayList<>();
        synchronized (this) {
            if (!req.path("ssh_key_ids").isArray() || req.path("ssh_key_ids").isEmpty()) {
                violations.add("create without ssh_key_ids");
            }
            for (JsonNode k : req.path("ssh_key_ids")) {
                ObjectNode key = keys.get(k.asText());
                if (key == null) {
                    error(ex, 400, "invalid_request", "SSH key " + k.asText() + " not found");
                    return;
                }
                keyLines.add(key.path("key").asText());
            }
        }
        if (insufficientFunds) {
            error(ex, 400, "insufficient_funds", "Not enough balance to deploy this instance; please add funds");
            return;
        }
        FakeInstance inst;
        synchronized (this) {
            if (failCreatesAfter >= 0 && instances.size() >= failCreatesAfter) {
                error(ex, 503, "service_unavailable", "Out of stock: not enough capacity, try again later");
                return;
            }
            inst = new FakeInstance(UUID.randomUUID().toString(), req);
            instances.put(inst.id, inst);
        }
        boot(inst, String.join("\n", keyLines), noCapacity.contains(location));
        switch (createAnswer) {
            case PLAIN_TEXT -> send(ex, 202, "text/plain", inst.id);
            case JSON_STRING -> send(ex, 202, "application/json", json.writeValueAsString(inst.id));
            case JSON_OBJECT -> sendJson(ex, 202, view(inst));
        }
    }

    /** The machine comes up in the background; the instance is ordered, then provisioning, then running. */
    private void boot(FakeInstance i, String authorizedKeys, boolean noCapacityHere) {
        machines.submit(() -> {
            try {
                TimeUnit.MILLISECONDS.sleep(100);
                synchronized (this) {
                    if (!i.status.equals("ordered")) {
                        return;
                    }
                    i.status = noCapacityHere ? "no_capacity" : "provisioning";
                }
                if (noCapacityHere) {
                    return;
                }
                SshHost host = hosts.create(null, authorizedKeys, Map.of(
                        "poweroff", "#!/bin/sh\n# stand-in: a test host must never power this machine off\n"
                                + "exec curl -fsS -m 10 -X POST " + baseUrl().replace("/v1", "") + "/fake/instances/"
                                + i.id + "/poweroff\n",
                        "shutdown", "#!/bin/sh\nexec poweroff\n",
                        "halt", "#!/bin/sh\nexec poweroff\n"));
                TimeUnit.MILLISECONDS.sleep(bootDelay.toMillis());
                synchronized (this) {
                    if (!i.status.equals("provisioning") || !instances.containsKey(i.id)) {
                        hosts.destroy(host);
                        return;
                    }
                    i.host = host;
                    i.ip = host.address();
                    i.status = "running";
                }
            } catch (IOException e) {
                log.warn("fake Verda: host for {} failed", i.id, e);
                synchronized (this) {
                    if (i.status.equals("provisioning")) {
                        i.status = "error";
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                i.booted.complete(null);
            }
        });
    }

    private void action(HttpExchange ex, String body) throws IOException {
        JsonNode req;
        try {
            req = json.readTree(body);
        } catch (IOException e) {
            error(ex, 400, "invalid_request", "body is not JSON");
            return;
        }
        List<String> ids = new ArrayList<>();
        if (req.path("id").isArray()) {
            req.path("id").forEach(n -> ids.add(n.asText()));
        } else if (req.path("id").isTextual()) {
            ids.add(req.path("id").asText());
        }
        String action = req.path("action").asText("");
        if (ids.isEmpty() || !Set.of("delete", "shutdown", "start", "hibernate", "restore", "force_shutdown",
                "delete_stuck").contains(action)) {
            error(ex, 400, "invalid_request", "id and a valid action are required");
            return;
        }
        ArrayNode results = json.createArrayNode();
        boolean anyFailed = false;
        for (String id : ids) {
            ObjectNode r = results.addObject().put("action", action).put("instanceId", id);
            FakeInstance i;
            synchronized (this) {
                i = instances.get(id);
            }
            if (i == null) {
                r.put("status", "error").put("error", "Instance not found").put("statusCode", 404);
                anyFailed = true;
                continue;
            }
            if (action.equals("delete")) {
                synchronized (this) {
                    if (refuseDeletes > 0) {
                        refuseDeletes--;
                        r.put("status", "error").put("error", "Instance is locked by another operation")
                                .put("statusCode", 409);
                        anyFailed = true;
                        continue;
                    }
                }
                delete(i);
            } else if (action.equals("shutdown") || action.equals("force_shutdown")) {
                powerOff(i);
            }
            r.put("status", "success");
        }
        sendJson(ex, anyFailed ? 207 : 202, results);
    }

    private void delete(FakeInstance i) {
        synchronized (this) {
            i.status = "deleting";
        }
        machines.submit(() -> {
            try {
                TimeUnit.MILLISECONDS.sleep(deleteDelay.toMillis());
                i.booted.get(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                log.warn("fake Verda: boot of {} did not finish", i.id);
            }
            SshHost h;
            synchronized (this) {
                h = i.host;
                i.host = null;
            }
            if (h != null) {
                hosts.destroy(h);
            }
            synchronized (this) {
                instances.remove(i.id);
            }
        });
    }

    /** A shut-down instance keeps its record (and, on Verda, its bill); its machine stops. */
    private void powerOff(FakeInstance i) {
        synchronized (this) {
            if (!i.status.equals("running")) {
                return;
            }
            i.status = "offline";
        }
        machines.submit(() -> {
            try {
                TimeUnit.MILLISECONDS.sleep(200); // let the stand-in's curl get its answer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            SshHost h;
            synchronized (this) {
                h = i.host;
                i.host = null;
            }
            if (h != null) {
                hosts.destroy(h);
            }
        });
    }

    private void fakeControl(HttpExchange ex, String method, String path) throws IOException {
        String[] parts = path.split("/");
        if (method.equals("POST") && parts.length == 5 && parts[2].equals("instances") && parts[4].equals("poweroff")) {
            FakeInstance i;
            synchronized (this) {
                i = instances.get(parts[3]);
            }
            if (i != null) {
                powerOff(i);
            }
            send(ex, 204, "text/plain", "");
            return;
        }
        if (method.equals("GET") && parts.length == 4 && parts[2].equals("login")) {
            // For a client in another JVM: where the instance at this public address takes SSH logins.
            var h = hosts.at(parts[3]);
            if (h.isEmpty()) {
                error(ex, 404, "not_found", "no host at " + parts[3]);
                return;
            }
            sendJson(ex, 200, json.createObjectNode().put("host", h.get().address()).put("port", h.get().port())
                    .put("user", h.get().user()));
            return;
        }
        error(ex, 404, "not_found", path);
    }

    private synchronized void listKeys(HttpExchange ex, String id) throws IOException {
        ArrayNode a = json.createArrayNode();
        if (id != null) {
            if (!keys.containsKey(id)) {
                error(ex, 404, "not_found", "SSH key " + id + " not found");
                return;
            }
            a.add(keys.get(id));
        } else {
            keys.values().forEach(a::add);
        }
        sendJson(ex, 200, a);
    }

    private synchronized void addKey(HttpExchange ex, String body) throws IOException {
        JsonNode req = json.readTree(body);
        String name = req.path("name").asText("");
        String key = req.path("key").asText("");
        if (name.isBlank() || !key.matches("ssh-(ed25519|rsa) [A-Za-z0-9+/=]+( .*)?")) {
            error(ex, 400, "invalid_request", "name and a valid public key are required");
            return;
        }
        String id = UUID.randomUUID().toString();
        keys.put(id, json.createObjectNode().put("id", id).put("name", name).put("key", key));
        send(ex, 201, "text/plain", id);
    }

    private synchronized void deleteKeys(HttpExchange ex, String id, String body) throws IOException {
        List<String> ids = new ArrayList<>();
        if (id != null) {
            ids.add(id);
        } else {
            json.readTree(body).path("keys").forEach(k -> ids.add(k.asText()));
        }
        for (String k : ids) {
            if (keys.remove(k) == null) {
                error(ex, 404, "not_found", "SSH key " + k + " not found");
                return;
            }
        }
        send(ex, 200, "text/plain", "");
    }

    private void error(HttpExchange ex, int status, String code, String message) throws IOException {
        sendJson(ex, status, json.createObjectNode().put("code", code).put("message", message));
    }

    private void sendJson(HttpExchange ex, int status, JsonNode body) throws IOException {
        send(ex, status, "application/json", json.writeValueAsString(body));
    }

    private static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        if (status == 204 || b.length == 0) {
            ex.sendResponseHeaders(status == 204 ? 204 : status, -1);
            return;
        }
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            q.put(k, v);
        }
        return q;
    }

    @Override
    public void close() {
        server.stop(0);
        List<FakeInstance> left;
        synchronized (this) {
            left = List.copyOf(instances.values());
            instances.clear();
        }
        for (FakeInstance i : left) {
            if (i.host != null) {
                hosts.destroy(i.host);
            }
        }
        machines.shutdownNow();
    }
}
