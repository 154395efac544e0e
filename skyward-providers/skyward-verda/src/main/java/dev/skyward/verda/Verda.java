package dev.skyward.verda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyward.offer.Catalog;
import dev.skyward.spi.Instance;
import dev.skyward.spi.InstanceStatus;
import dev.skyward.spi.LaunchRequest;
import dev.skyward.spi.LiveCapacity;
import dev.skyward.spi.NodeAccess;
import dev.skyward.spi.Offer;
import dev.skyward.spi.OfferQuery;
import dev.skyward.spi.OwnedInstance;
import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderCheck;
import dev.skyward.spi.ProviderException;
import dev.skyward.spi.ProviderException.Kind;
import dev.skyward.spi.SshEndpoint;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GPU instances on Verda (formerly DataCrunch). A pool's instances carry the description
 * {@code skyward pool=<pool id> node=<index>} (Verda has no tags on its older API versions); the pool's
 * ephemeral SSH key is registered on the account for the pool's life and deleted after it; closing the
 * pool deletes its instances with their OS volumes and waits until they are gone.
 *
 * <pre>{@code
 * // credentials from VERDA_CLIENT_ID/VERDA_CLIENT_SECRET, DATACRUNCH_*, or ~/.verda/config.json
 * try (var pool = ComputePool.builder()
 *         .provider(Verda.builder().locations("FIN-01", "FIN-03").build())
 *         .accelerator("H100").nodes(2).build()) {
 *     pool.broadcast(ctx -> ctx.rank());
 * }
 * }</pre>
 *
 * <p>Multi-node pools are allowed: Verda gives instances no private addresses, so nodes rendezvous over
 * their public addresses, and the rendezvous port (the pool's master port, and the ports NCCL/Gloo open)
 * must be reachable between the nodes across the public network; whoever else can reach those
 * addresses can reach those ports too. Put the instances behind a Verda firewall that admits only the
 * pool's addresses, or run single-node pools, when that matters.
 *
 * <p>A shut-down Verda instance keeps its record on the account and, we assume, stays billed like a running
 * one (its GPU stays reserved; Verda's reduced-cost state is hibernation): <b>unverified</b>, no Verda
 * billing document was available to check it. So when a client dies, each node's agent acts on
 * expiry; with {@link Builder#selfDestruct(String, String)} it deletes its own instance through the API;
 * without it, it powers off, and {@link #deleteExpired()} (or the next pool of this provider) deletes
 * the powered-off instances this library made.
 */
public final class Verda implements Provider, LiveCapacity {

    /** The provider's name. */
    public static final String NAME = "verda";
    /** Verda's API. */
    public static final String DEFAULT_BASE_URL = "https://api.verda.com/v1";
    /** The API under its former name, still served. */
    public static final String DATACRUNCH_BASE_URL = "https://api.datacrunch.io/v1";

    private static final Logger log = LoggerFactory.getLogger(Verda.class);

    private final VerdaCredentials credentials;
    private final HttpUrl baseUrl;
    private final List<String> locations;
    private final String image;
    private final int osVolumeGiB;
    private final VerdaCredentials selfDestruct;
    private final Function<String, SshEndpoint> login;
    private final Duration pollInterval;
    private final Duration deleteTimeout;
    private final int retries;
    private final Duration retryBackoff;
    private final VerdaApi api;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, String> keyIds = new ConcurrentHashMap<>();

    private Verda(Builder b) {
        this.credentials = b.credentials != null ? b.credentials : VerdaCredentials.lookup(b.env, b.home);
        this.baseUrl = b.baseUrl;
        this.locations = List.copyOf(b.locations);
        this.image = b.image;
        this.osVolumeGiB = b.osVolumeGiB;
        this.selfDestruct = b.selfDestruct;
        this.login = b.login;
        this.pollInterval = b.pollInterval;
        this.deleteTimeout = b.deleteTimeout;
        this.retries = b.retries;
        this.retryBackoff = b.retryBackoff;
        OkHttpClient http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ofSeconds(60)).retryOnConnectionFailure(false).build();
        this.api = new VerdaApi(baseUrl, credentials, http, retryBackoff, retries, Clock.systemUTC());
    }

    /** A provider with credentials from the environment or {@code ~/.verda/config.json}, every location. */
    public Verda() {
        this(new Builder());
    }

    /** A builder; credentials default to the environment or {@code ~/.verda/config.json}. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderCheck check() {
        return credentials.check();
    }

    // ---- offers and live capacity ----

    @Override
    public List<Offer> offers(OfferQuery query) {
        List<Offer> all = Catalog.load(NAME).offers();
        if (locations.isEmpty()) {
            return all;
        }
        // The builder's locations restrict and order the offers: earlier locations are preferred.
        return all.stream().filter(o -> locations.contains(o.region()))
                .sorted(Comparator.comparingInt(o -> locations.indexOf(o.region()))).toList();
    }

    /** One {@code GET /instance-availability} call for every location of the market asked about. */
    @Override
    public Map<Offer, Boolean> capacity(List<Offer> offers, boolean spot) {
        requireCredentials();
        Map<String, Set<String>> free = new HashMap<>();
        for (JsonNode loc : api.get("/instance-availability", Map.of("isSpot", Boolean.toString(spot)))) {
            Set<String> types = free.computeIfAbsent(loc.path("location_code").asText(), k -> new HashSet<>());
            loc.path("availabilities").forEach(t -> types.add(t.asText()));
        }
        Map<Offer, Boolean> answer = new LinkedHashMap<>();
        for (Offer o : offers) {
            if (spot && !o.hasSpot()) {
                answer.put(o, false);
            } else {
                answer.put(o, free.getOrDefault(o.region(), Set.of()).contains(o.instanceType()));
            }
        }
        return answer;
    }

    // ---- launch, describe, terminate ----

    /**
     * Registers the pool's key (once) and requests the pool's missing instances, then returns at once:
     * the engine follows them through {@link #describe} until they run with an address.
     */
    @Override
    public List<Instance> launch(LaunchRequest request) {
        requireCredentials();
        Offer offer = request.offer();
        if (!NAME.equals(offer.provider())) {
            throw new ProviderException(Kind.FATAL, "offer " + offer + " is not a Verda offer");
        }
        if (request.spot() && !offer.hasSpot()) {
            throw new ProviderException(Kind.FATAL, "Verda has no spot market for " + offer.instanceType() + " in "
                    + offer.region() + "; ask for on-demand nodes");
        }
        if (request.sshPublicKey() == null) {
            throw new ProviderException(Kind.FATAL, "Verda instances need the pool's SSH public key");
        }
        if (request.count() > 1) {
            log.info("pool {}: {} Verda nodes rendezvous over public addresses (Verda has no private network); "
                    + "the master and NCCL ports are reachable from the internet unless a firewall restricts them",
                    request.poolId(), request.count());
        }
        String keyId = ensureKey(request.poolId(), request.sshPublicKey());
        Set<Integer> have = new HashSet<>();
        for (JsonNode i : instances(request.poolId())) {
            if (status(i) != InstanceStatus.TERMINATED) {
                PoolMarker.parse(i.path("description").asText()).ifPresent(n -> have.add(n.index()));
            }
        }
        for (int index = 0; index < request.count(); index++) {
            if (!have.contains(index)) {
                create(request, index, keyId);
            }
        }
        return describe(request.poolId());
    }

    private void create(LaunchRequest request, int index, String keyId) {
        Offer offer = request.offer();
        ObjectNode body = json.createObjectNode();
        body.put("instance_type", offer.instanceType());
        body.put("image", image != null ? image : VerdaImages.forType(offer.instanceType()));
        body.putArray("ssh_key_ids").add(keyId);
        body.put("hostname", PoolMarker.hostname(request.poolId(), index));
        body.put("description", PoolMarker.description(request.poolId(), index, request.tags()));
        body.put("location_code", offer.region());
        body.putObject("os_volume").put("name", PoolMarker.hostname(request.poolId(), index) + "-os")
                .put("size", osVolumeGiB);
        body.put("is_spot", request.spot());
        body.put("contract", request.spot() ? "SPOT" : "PAY_AS_YOU_GO");
        for (int attempt = 0;; attempt++) {
            try {
                String id = createdId(api.post("/instances", body));
                log.debug("pool {}: instance {} ({} in {}, {}) requested", request.poolId(), id, offer.instanceType(),
                        offer.region(), request.spot() ? "spot" : "on-demand");
                return;
            } catch (ProviderException e) {
                if (e.kind() != Kind.TRANSIENT || attempt >= retries) {
                    throw e;
                }
                // A create that failed on the way back may have been made: look before asking again.
                boolean made = instances(request.poolId()).stream().anyMatch(i -> PoolMarker
                        .parse(i.path("description").asText()).map(n -> n.index() == index).orElse(false));
                if (made) {
                    return;
                }
                VerdaApi.sleep(retryBackoff.multipliedBy(1L << Math.min(attempt, 5)));
            }
        }
    }

    /** The create answer: the id as plain text (what Verda sends), a JSON string, or an instance object. */
    String createdId(VerdaApi.Answer answer) {
        String text = answer.text().strip();
        String id = text;
        if (text.startsWith("{") || text.startsWith("\"")) {
            JsonNode n = api.readJson(answer, "POST /instances");
            id = n.isTextual() ? n.asText() : n.path("id").asText("");
        }
        if (id.isBlank() || id.contains(" ")) {
            throw new ProviderException(Kind.FATAL, "Verda accepted the instance (" + answer.status()
                    + ") but its answer carries no instance id: '" + (text.length() > 100 ? text.substring(0, 100)
                    : text) + "'");
        }
        return id;
    }

    /** The pool's key on the account: registered once, found again by name after a restart. */
    private String ensureKey(String poolId, String publicKey) {
        String known = keyIds.get(poolId);
        if (known != null) {
            return known;
        }
        synchronized (keyIds) {
            known = keyIds.get(poolId);
            if (known != null) {
                return known;
            }
            String name = PoolMarker.keyName(poolId);
            for (JsonNode k : api.get("/sshkeys", Map.of())) {
                if (name.equals(k.path("name").asText()) && sameKey(publicKey, k.path("key").asText())) {
                    keyIds.put(poolId, k.path("id").asText());
                    return k.path("id").asText();
                }
            }
            ObjectNode body = json.createObjectNode().put("name", name).put("key", publicKey.strip());
            String id = createdId(api.post("/sshkeys", body));
            keyIds.put(poolId, id);
            return id;
        }
    }

    private static boolean sameKey(String a, String b) {
        String[] x = a.strip().split("\\s+");
        String[] y = b.strip().split("\\s+");
        return x.length >= 2 && y.length >= 2 && x[0].equals(y[0]) && x[1].equals(y[1]);
    }

    @Override
    public List<Instance> describe(String poolId) {
        requireCredentials();
        List<Instance> out = new ArrayList<>();
        for (JsonNode i : instances(poolId)) {
            Instance instance = instance(poolId, i, login);
            if (instance != null) {
                out.add(instance);
            }
        }
        return out;
    }

    /** The instance, or {@code null} when it is terminated. */
    private Instance instance(String poolId, JsonNode i, Function<String, SshEndpoint> login) {
        InstanceStatus s = status(i);
        if (s == InstanceStatus.TERMINATED) {
            return null;
        }
        String ip = i.path("ip").isTextual() && !i.path("ip").asText().isBlank() ? i.path("ip").asText() : null;
        if (s == InstanceStatus.RUNNING && ip == null) {
            s = InstanceStatus.PENDING; // running is ready only with an address
        }
        int index = PoolMarker.parse(i.path("description").asText()).map(PoolMarker.Node::index).orElse(0);
        return new Instance(i.path("id").asText(), NAME, poolId, index, s, ip, null,
                s == InstanceStatus.RUNNING ? login.apply(ip) : null);
    }

    /**
     * Every instance whose description is a Skyward marker, whatever its pool or client (one
     * {@code GET /instances}); ownership from the marker, price from the instance's
     * {@code price_per_hour} (else the catalog), start from {@code created_at} when Verda sends it.
     */
    @Override
    public List<OwnedInstance> ownedInstances() {
        requireCredentials();
        List<OwnedInstance> out = new ArrayList<>();
        Catalog catalog = Catalog.load(NAME);
        for (JsonNode i : api.get("/instances", Map.of())) {
            var node = PoolMarker.parse(i.path("description").asText(null));
            if (node.isEmpty()) {
                continue;
            }
            // No login is resolved for a listing: nobody connects.
            Instance instance = instance(node.get().poolId(), i, ip -> null);
            if (instance == null) {
                continue;
            }
            String type = i.path("instance_type").asText("");
            String location = i.path("location").isTextual() ? i.path("location").asText()
                    : i.path("location_code").asText("");
            JsonNode price = i.path("price_per_hour");
            double hourly = price.isNumber() ? price.asDouble() : price.isTextual() ? parse(price.asText())
                    : catalog.price(type, location, i.path("is_spot").asBoolean(false));
            java.time.Instant created = null;
            try {
                created = i.path("created_at").isTextual() ? java.time.Instant.parse(i.path("created_at").asText()) : null;
            } catch (java.time.format.DateTimeParseException e) {
                log.debug("instance {}: created_at unreadable", instance.id());
            }
            out.add(new OwnedInstance(instance, node.get().ownership().orElse(null), created, type, location, hourly));
        }
        return out;
    }

    private static double parse(String number) {
        try {
            return Double.parseDouble(number);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** The pool's instances as Verda lists them (every non-deleted instance, filtered by exact marker). */
    private List<JsonNode> instances(String poolId) {
        List<JsonNode> mine = new ArrayList<>();
        for (JsonNode i : api.get("/instances", Map.of())) {
            if (PoolMarker.ofPool(i.path("description").asText(null), poolId)) {
                mine.add(i);
            }
        }
        return mine;
    }

    static InstanceStatus status(JsonNode instance) {
        return switch (instance.path("status").asText("unknown").toLowerCase(Locale.ROOT)) {
            case "running" -> InstanceStatus.RUNNING;
            case "no_capacity" -> InstanceStatus.NO_CAPACITY;
            case "error" -> InstanceStatus.ERROR;
            case "offline", "deleting", "starting_hibernation", "hibernating", "shutting_down" -> InstanceStatus.STOPPING;
            case "discontinued", "deleted", "notfound" -> InstanceStatus.TERMINATED;
            default -> InstanceStatus.PENDING; // new, ordered, validating, provisioning, pending, restoring, unknown
        };
    }

    /**
     * Deletes the pool's instances with their OS volumes ({@code PUT /instances} {@code action: delete}),
     * retries the ids a 207 answer reports failed, waits until every id is gone from
     * {@code GET /instances}, then deletes the pool's key. Ids Verda keeps refusing are reported.
     */
    @Override
    public void terminate(String poolId) {
        requireCredentials();
        long deadline = System.nanoTime() + deleteTimeout.toNanos();
        Set<String> accepted = new HashSet<>();
        Map<String, Integer> refusals = new HashMap<>();
        Map<String, String> refused = new LinkedHashMap<>();
        List<JsonNode> left = instances(poolId);
        while (!left.isEmpty()) {
            // A launch still running elsewhere may add instances while this one deletes: delete newcomers too.
            List<String> ids = left.stream().map(i -> i.path("id").asText())
                    .filter(id -> !accepted.contains(id) && !refused.containsKey(id)).toList();
            if (!ids.isEmpty()) {
                Map<String, String> failed = delete(ids);
                for (String id : ids) {
                    if (!failed.containsKey(id)) {
                        accepted.add(id);
                    } else if (refusals.merge(id, 1, Integer::sum) > retries) {
                        refused.put(id, failed.get(id));
                    } else {
                        log.debug("pool {}: Verda did not delete {} ({}); retrying", poolId, id, failed.get(id));
                    }
                }
            }
            Set<String> present = left.stream().map(i -> i.path("id").asText()).collect(Collectors.toSet());
            if (refused.keySet().containsAll(present)) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new ProviderException(Kind.TRANSIENT, "Verda instances of pool " + poolId + " still exist "
                        + deleteTimeout.toSeconds() + " s after they were deleted: " + String.join(", ", present)
                        + "; check https://console.verda.com (description '" + PoolMarker.description(poolId, 0)
                        .replace(" node=0", "") + " ...')");
            }
            VerdaApi.sleep(refusals.isEmpty() ? pollInterval : retryBackoff);
            left = instances(poolId);
        }
        deleteKeys(poolId);
        if (!refused.isEmpty()) {
            throw new ProviderException(Kind.TRANSIENT, "Verda refused to delete " + refused.size() + " instance(s) of "
                    + "pool " + poolId + " after " + (retries + 1) + " attempts: " + refused.entrySet().stream()
                    .map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining(", "))
                    + "; they are still billed: delete them in the Verda console");
        }
    }

    /**
     * Deletes these instances of the pool with their OS volumes and waits until they are gone; the
     * pool's key and its other instances stay. Ids not of the pool are ignored.
     */
    @Override
    public void terminate(String poolId, java.util.Collection<String> instanceIds) {
        requireCredentials();
        long deadline = System.nanoTime() + deleteTimeout.toNanos();
        Map<String, Integer> refusals = new HashMap<>();
        Set<String> accepted = new HashSet<>();
        while (true) {
            List<String> left = instances(poolId).stream().map(i -> i.path("id").asText())
                    .filter(instanceIds::contains).toList();
            if (left.isEmpty()) {
                return;
            }
            List<String> ask = left.stream().filter(id -> !accepted.contains(id)).toList();
            Map<String, String> failed = ask.isEmpty() ? Map.of() : delete(ask);
            ask.stream().filter(id -> !failed.containsKey(id)).forEach(accepted::add);
            for (Map.Entry<String, String> f : failed.entrySet()) {
                if (refusals.merge(f.getKey(), 1, Integer::sum) > retries) {
                    throw new ProviderException(Kind.TRANSIENT, "Verda refused to delete instance " + f.getKey()
                            + " of pool " + poolId + " after " + (retries + 1) + " attempts: " + f.getValue()
                            + "; it is still billed: delete it in the Verda console");
                }
            }
            if (System.nanoTime() > deadline) {
                throw new ProviderException(Kind.TRANSIENT, "Verda instances " + left + " of pool " + poolId
                        + " still exist " + deleteTimeout.toSeconds() + " s after they were deleted; check "
                        + "https://console.verda.com");
            }
            VerdaApi.sleep(failed.isEmpty() ? pollInterval : retryBackoff);
        }
    }

    /**
     * One delete action for these ids. A 204 or a 2xx without per-instance results means all accepted;
     * a 202/207 list says per id (207: some failed). Ids already gone count as deleted.
     *
     * @return the ids that failed, with why
     */
    private Map<String, String> delete(List<String> ids) {
        ObjectNode body = json.createObjectNode();
        ids.forEach(body.putArray("id")::add);
        body.put("action", "delete");
        body.putNull("volume_ids");
        body.put("delete_permanently", true);
        VerdaApi.Answer a;
        try {
            a = api.put("/instances", body);
        } catch (VerdaException e) {
            if (e.status() == 404) {
                return Map.of();
            }
            throw e;
        }
        Map<String, String> failed = new LinkedHashMap<>();
        JsonNode results = api.readJson(a, "PUT /instances");
        if (!results.isArray()) {
            return failed;
        }
        for (JsonNode r : results) {
            String id = r.path("instanceId").asText(r.path("instance_id").asText(""));
            String status = r.path("status").asText("").toLowerCase(Locale.ROOT);
            int code = r.path("statusCode").asInt(r.path("status_code").asInt(0));
            String error = r.path("error").isTextual() ? r.path("error").asText() : r.path("error").isMissingNode()
                    || r.path("error").isNull() ? "" : r.path("error").toString();
            boolean ok = code != 404 && (code >= 400 || !error.isBlank() || status.equals("error")
                    || status.equals("failed")) ? false : true;
            if (!ok && ids.contains(id)) {
                failed.put(id, (code > 0 ? code + " " : "") + (error.isBlank() ? status : error));
            }
        }
        if (a.status() == 207 && failed.isEmpty()) {
            log.debug("Verda answered 207 to a delete without naming a failed id: {}", a.text());
        }
        return failed;
    }

    private void deleteKeys(String poolId) {
        keyIds.remove(poolId);
        String name = PoolMarker.keyName(poolId);
        for (JsonNode k : api.get("/sshkeys", Map.of())) {
            if (name.equals(k.path("name").asText())) {
                try {
                    api.delete("/sshkeys/" + k.path("id").asText());
                } catch (VerdaException e) {
                    if (e.status() != 404) {
                        throw e;
                    }
                }
            }
        }
    }

    /**
     * Deletes the shut-down ({@code offline}) instances this library made, and the SSH keys of the pools
     * they belonged to: nodes whose client died power off when no self-destruct grant was given, and a
     * shut-down Verda instance is (we assume, see the class comment) still billed.
     *
     * @return the ids of the instances deleted
     */
    public List<String> deleteExpired() {
        requireCredentials();
        List<String> ids = new ArrayList<>();
        Set<String> pools = new HashSet<>();
        for (JsonNode i : api.get("/instances", Map.of())) {
            var node = PoolMarker.parse(i.path("description").asText(null));
            if (node.isPresent() && "offline".equalsIgnoreCase(i.path("status").asText())) {
                log.info("deleting shut-down Verda instance {} ({}) left by a pool whose client died",
                        i.path("id").asText(), i.path("hostname").asText());
                ids.add(i.path("id").asText());
                pools.add(node.get().poolId());
            }
        }
        if (!ids.isEmpty()) {
            Map<String, String> failed = delete(ids);
            if (!failed.isEmpty()) {
                throw new ProviderException(Kind.TRANSIENT, "Verda refused to delete shut-down instances " + failed);
            }
        }
        for (String pool : pools) {
            // Only when nothing of that pool is still up: a key is needed only to create instances.
            boolean up = instances(pool).stream().anyMatch(i -> !ids.contains(i.path("id").asText()));
            if (!up) {
                deleteKeys(pool);
            }
        }
        return ids;
    }

    /**
     * The node's dead-man's switch: with a self-destruct grant, the node gets a token for that API client
     * and deletes its own instance; if that fails, or without a grant, it powers off.
     */
    @Override
    public NodeAccess access(Instance instance) {
        return NodeAccess.poolKey().withOnExpire(onExpireCommand(instance));
    }

    String onExpireCommand(Instance instance) {
        if (selfDestruct == null) {
            return detached("poweroff");
        }
        String grant = json.createObjectNode().put("grant_type", "client_credentials")
                .put("client_id", selfDestruct.clientId()).put("client_secret", selfDestruct.clientSecret()).toString();
        String delete = json.createObjectNode().put("action", "delete").putNull("volume_ids")
                .put("delete_permanently", true).set("id", json.createArrayNode().add(instance.id())).toString();
        String tokenUrl = baseUrl.newBuilder().addPathSegments("oauth2/token").build().toString();
        String instancesUrl = baseUrl.newBuilder().addPathSegment("instances").build().toString();
        // Secret and token travel on stdin (printf is a shell builtin), never on a curl command line.
        String script = "t=$(printf '%s' " + quote(grant) + " | curl -fsS -m 30 -H 'Content-Type: application/json' "
                + "--data @- " + quote(tokenUrl) + " | sed -n 's/.*\"access_token\" *: *\"\\([^\"]*\\)\".*/\\1/p') "
                + "&& [ -n \"$t\" ] && printf 'Authorization: Bearer %s\\n' \"$t\" | curl -fsS -m 30 -X PUT -H @- "
                + "-H 'Content-Type: application/json' --data " + quote(delete) + " " + quote(instancesUrl)
                + " || poweroff";
        return detached(script);
    }

    /**
     * Runs the command outside the agent's process tree (setsid -f: its parent exits at once), because the
     * agent ends its own descendants as it exits; where setsid is missing, in place.
     */
    private static String detached(String script) {
        return "setsid -f /bin/sh -c " + quote(script) + " </dev/null >/dev/null 2>&1 || /bin/sh -c " + quote(script);
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private void requireCredentials() {
        if (!credentials.found()) {
            throw new ProviderException(Kind.CREDENTIALS, "Verda: " + credentials.problem());
        }
    }

    @Override
    public String toString() {
        return "Verda[" + baseUrl + ", " + credentials + "]";
    }

    /** Configures a {@link Verda} provider. */
    public static final class Builder {
        private VerdaCredentials credentials;
        private Map<String, String> env = System.getenv();
        private Path home = Path.of(System.getProperty("user.home"));
        private HttpUrl baseUrl = HttpUrl.get(DEFAULT_BASE_URL);
        private final List<String> locations = new ArrayList<>();
        private String image;
        private int osVolumeGiB = 100;
        private VerdaCredentials selfDestruct;
        private Function<String, SshEndpoint> login = ip -> new SshEndpoint(ip, 22, "root");
        private Duration pollInterval = Duration.ofSeconds(5);
        private Duration deleteTimeout = Duration.ofMinutes(10);
        private Duration retryBackoff = Duration.ofMillis(500);
        private int retries = 4;

        private Builder() {
        }

        /**
         * The API client to use instead of looking one up.
         *
         * @param clientId the client id from the Verda console
         * @param clientSecret its secret
         * @return this builder
         */
        public Builder credentials(String clientId, String clientSecret) {
            this.credentials = VerdaCredentials.of(nonBlank(clientId, "client id"), nonBlank(clientSecret,
                    "client secret"), "Verda.builder().credentials(...)");
            return this;
        }

        /**
         * Where the credential lookup reads {@code VERDA_CLIENT_ID} and friends (default: this process's
         * environment) and finds {@code .verda/config.json} (default: the user's home).
         *
         * @param env environment variables
         * @param home the home directory
         * @return this builder
         */
        public Builder environment(Map<String, String> env, Path home) {
            this.env = Map.copyOf(env);
            this.home = Objects.requireNonNull(home, "home");
            return this;
        }

        /**
         * The API's base URL (default {@value #DEFAULT_BASE_URL}; the former {@value #DATACRUNCH_BASE_URL}
         * also works), e.g. for a proxy.
         *
         * @param url scheme, host, port and the {@code /v1} path
         * @return this builder
         */
        public Builder baseUrl(String url) {
            HttpUrl parsed = url == null ? null : HttpUrl.parse(url.replaceAll("/+$", ""));
            if (parsed == null) {
                throw new IllegalArgumentException("Verda base URL must be an http(s) URL such as " + DEFAULT_BASE_URL
                        + ": " + url);
            }
            this.baseUrl = parsed;
            return this;
        }

        /**
         * Locations to use, most preferred first; offers elsewhere are left out (default: every location in
         * the catalog).
         *
         * @param codes location codes, e.g. {@code FIN-01}
         * @return this builder
         */
        public Builder locations(String... codes) {
            for (String c : codes) {
                if (c == null || !c.matches("[A-Z]{3}-[0-9]{2}")) {
                    throw new IllegalArgumentException("not a Verda location code: '" + c + "' (e.g. FIN-01, FIN-03, "
                            + "ICE-01)");
                }
                locations.add(c);
            }
            return this;
        }

        /**
         * The OS image every instance boots (default: the CUDA image for the type, see Verda's {@code /images}).
         *
         * @param imageType an image type, e.g. {@code ubuntu-24.04-cuda-12.8-open-docker}
         * @return this builder
         */
        public Builder image(String imageType) {
            this.image = nonBlank(imageType, "image");
            return this;
        }

        /**
         * Size of each instance's OS volume (default 100 GiB); deleted with the instance.
         *
         * @param gib size in GiB
         * @return this builder
         */
        public Builder osVolumeGiB(int gib) {
            if (gib < 20) {
                throw new IllegalArgumentException("Verda OS volumes need at least 20 GiB: " + gib);
            }
            this.osVolumeGiB = gib;
            return this;
        }

        /**
         * Lets a node whose client died delete its own instance: these credentials (an API client you
         * create for this) go to the nodes, which use them only for that. Without them, such a node powers
         * off, and a shut-down instance is still billed until {@link Verda#deleteExpired()} or the next pool
         * deletes it.
         *
         * @param clientId an API client's id
         * @param clientSecret its secret
         * @return this builder
         */
        public Builder selfDestruct(String clientId, String clientSecret) {
            this.selfDestruct = VerdaCredentials.of(nonBlank(clientId, "self-destruct client id"),
                    nonBlank(clientSecret, "self-destruct client secret"), "selfDestruct");
            return this;
        }

        /**
         * How to log in to an instance at its public address (default {@code root@ADDRESS:22}).
         *
         * @param login from the public address to the SSH endpoint
         * @return this builder
         */
        public Builder login(Function<String, SshEndpoint> login) {
            this.login = Objects.requireNonNull(login, "login");
            return this;
        }

        /**
         * How often terminate polls until deleted instances are gone (default 5 s).
         *
         * @param interval the interval
         * @return this builder
         */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = positive(interval, "pollInterval");
            return this;
        }

        /**
         * How long terminate waits for deleted instances to disappear (default 10 min).
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder deleteTimeout(Duration timeout) {
            this.deleteTimeout = positive(timeout, "deleteTimeout");
            return this;
        }

        /**
         * How often a failing call is retried (server errors, throttles, refused deletes; default 4) and the
         * first wait between tries (default 500 ms, doubling).
         *
         * @param retries extra attempts
         * @param backoff the first wait
         * @return this builder
         */
        public Builder retries(int retries, Duration backoff) {
            if (retries < 0 || retries > 20) {
                throw new IllegalArgumentException("retries must be between 0 and 20: " + retries);
            }
            this.retries = retries;
            this.retryBackoff = positive(backoff, "retry backoff");
            return this;
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
            return d;
        }

        private static String nonBlank(String s, String what) {
            if (s == null || s.isBlank()) {
                throw new IllegalArgumentException("Verda " + what + " is empty; " + VerdaCredentials.HELP);
            }
            return s.strip();
        }

        /** The provider. */
        public Verda build() {
            return new Verda(this);
        }
    }
}
