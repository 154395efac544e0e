package dev.skyward.digitalocean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyward.digitalocean.DigitalOceanApi.DigitalOceanException;
import dev.skyward.offer.Catalog;
import dev.skyward.spi.Instance;
import dev.skyward.spi.InstanceStatus;
import dev.skyward.spi.LaunchRequest;
import dev.skyward.spi.LiveCapacity;
import dev.skyward.spi.NodeAccess;
import dev.skyward.spi.Offer;
import dev.skyward.spi.OfferQuery;
import dev.skyward.spi.OwnedInstance;
import dev.skyward.spi.Ownership;
import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderCheck;
import dev.skyward.spi.ProviderException;
import dev.skyward.spi.ProviderException.Kind;
import dev.skyward.spi.SshEndpoint;
import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GPU Droplets on DigitalOcean. A pool's droplets carry the tags {@code skyward} and
 * {@code skyward-pool:<pool id>}; the pool's ephemeral SSH key is registered on the account for the
 * pool's lifetime and deleted after it; closing the pool destroys its droplets and waits until
 * they are gone.
 *
 * <pre>{@code
 * // token from DIGITALOCEAN_TOKEN, DIGITALOCEAN_ACCESS_TOKEN or doctl's config
 * try (var pool = ComputePool.builder()
 *         .provider(DigitalOcean.builder().regions("nyc2", "tor1").build())
 *         .accelerator("H100").nodes(2).build()) {
 *     pool.broadcast(ctx -> ctx.rank());
 * }
 * }</pre>
 *
 * <p>A powered-off droplet is still billed. When a client dies, each node's agent acts on expiry:
 * with {@link Builder#selfDestruct(String)} it destroys its own droplet through the API; without it,
 * it powers the droplet off (still billed), and {@link #deleteExpired()}, run by the next client,
 * destroys the powered-off droplets that carry the {@code skyward} tag.
 */
public final class DigitalOcean implements Provider, LiveCapacity {

    /** The provider's name. */
    public static final String NAME = "digitalocean";
    /** DigitalOcean's API. */
    public static final String DEFAULT_BASE_URL = "https://api.digitalocean.com";

    private static final Logger log = LoggerFactory.getLogger(DigitalOcean.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final DigitalOceanToken token;
    private final String baseUrl;
    private final List<String> regions;
    private final String image;
    private final String selfDestructToken;
    private final Function<String, SshEndpoint> login;
    private final Duration pollInterval;
    private final Duration deleteTimeout;
    private final DigitalOceanApi api;
    private final Map<String, Long> keyIds = new java.util.concurrent.ConcurrentHashMap<>();
    /** Droplets this provider created, per pool: a new droplet can be missing from listings for a while. */
    private final Map<String, Set<Long>> created = new java.util.concurrent.ConcurrentHashMap<>();

    private DigitalOcean(Builder b) {
        this.token = b.token != null ? new DigitalOceanToken(b.token, "DigitalOcean.builder().token(...)")
                : DigitalOceanToken.lookup(b.env, java.nio.file.Path.of(System.getProperty("user.home")));
        this.baseUrl = b.baseUrl;
        this.regions = List.copyOf(b.regions);
        this.image = b.image;
        this.selfDestructToken = b.selfDestructToken;
        this.login = b.login;
        this.pollInterval = b.pollInterval;
        this.deleteTimeout = b.deleteTimeout;
        OkHttpClient http = new OkHttpClient.Builder()
                .connectTimeout(Duration.ofSeconds(10)).readTimeout(Duration.ofSeconds(60))
                .retryOnConnectionFailure(false).build();
        this.api = new DigitalOceanApi(baseUrl, token.found() ? token.token() : "", token.source(), http,
                b.maxRateLimitWait, Clock.systemUTC());
    }

    /** A builder with the token from the environment or doctl's config. */
    public static Builder builder() {
        return new Builder();
    }

    /** A provider configured from the environment (the token from where {@link #check()} says). */
    public static DigitalOcean fromEnvironment() {
        return builder().build();
    }

    /** The catalog this module ships (same columns as every Skyward catalog). */
    public static URL catalogResource() {
        return Objects.requireNonNull(DigitalOcean.class.getResource("/dev/skyward/catalogs/digitalocean.csv"),
                "dev/skyward/catalogs/digitalocean.csv");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderCheck check() {
        return token.check();
    }

    // ---- offers ----

    @Override
    public List<Offer> offers(OfferQuery query) {
        List<Offer> all = catalog().offers();
        if (regions.isEmpty()) {
            return all;
        }
        // The builder's regions restrict and order the offers: earlier regions are preferred.
        return all.stream().filter(o -> regions.contains(o.region()))
                .sorted(Comparator.comparingInt(o -> regions.indexOf(o.region()))).toList();
    }

    /** This module's catalog, or the user's override in {@code ~/.skyward/catalogs/digitalocean.csv}. */
    private static Catalog catalog() {
        return Catalog.load(NAME);
    }

    @Override
    public Map<Offer, Boolean> capacity(List<Offer> offers, boolean spot) {
        requireToken();
        Map<String, JsonNode> sizes = new HashMap<>();
        for (JsonNode s : api.list("/v2/sizes", Map.of(), "sizes")) {
            sizes.put(s.path("slug").asText(), s);
        }
        Map<Offer, Boolean> answer = new LinkedHashMap<>();
        for (Offer o : offers) {
            JsonNode s = sizes.get(o.instanceType());
            if (spot || s == null) {
                // No spot market on DigitalOcean; an unlisted size is unknown rather than unavailable.
                if (spot) {
                    answer.put(o, false);
                }
                continue;
            }
            boolean inRegion = false;
            for (JsonNode r : s.path("regions")) {
                inRegion |= r.asText().equals(o.region());
            }
            answer.put(o, s.path("available").asBoolean(false) && inRegion);
        }
        return answer;
    }

    // ---- launch, describe, terminate ----

    @Override
    public List<Instance> launch(LaunchRequest request) {
        requireToken();
        Offer offer = request.offer();
        if (!NAME.equals(offer.provider())) {
            throw new ProviderException(Kind.FATAL, "offer " + offer + " is not a DigitalOcean offer");
        }
        if (request.spot()) {
            throw new ProviderException(Kind.FATAL, "DigitalOcean has no spot market; ask for on-demand nodes");
        }
        if (request.sshPublicKey() == null) {
            throw new ProviderException(Kind.FATAL, "DigitalOcean droplets need the pool's SSH public key");
        }
        long keyId = ensureKey(request.poolId(), request.sshPublicKey());
        Set<Integer> have = new TreeSet<>();
        for (Droplet d : droplets(request.poolId())) {
            if (d.status() != InstanceStatus.TERMINATED) {
                d.index().ifPresent(have::add);
            }
        }
        List<String> tags = tags(request);
        String img = image != null ? image : GpuImages.forSize(offer.instanceType());
        for (int i = 0; i < request.count(); i++) {
            if (have.contains(i)) {
                continue;
            }
            ObjectNode body = JSON.objectNode();
            body.put("name", DropletNaming.dropletName(request.poolId(), i));
            body.put("region", offer.region());
            body.put("size", offer.instanceType());
            body.put("image", img);
            body.putArray("ssh_keys").add(keyId);
            tags.forEach(body.putArray("tags")::add);
            long id = api.post("/v2/droplets", body).path("droplet").path("id").asLong();
            created.computeIfAbsent(request.poolId(), p -> java.util.concurrent.ConcurrentHashMap.newKeySet()).add(id);
            log.debug("pool {}: droplet {} ({}, {}) requested", request.poolId(), id, offer.instanceType(),
                    offer.region());
        }
        // Droplets start "new" without an address; the engine polls describe until they are active.
        return describe(request.poolId());
    }

    /**
     * The pool's key logs in (as {@code root} on DigitalOcean's images); on expiry the node destroys its
     * own droplet when {@link Builder#selfDestruct} granted a token, else powers off.
     */
    @Override
    public NodeAccess access(Instance instance) {
        return NodeAccess.poolKey().withOnExpire(onExpireCommand(instance));
    }

    /**
     * {@code skyward}, the pool tag, and every tag of the request as {@code key:value} (DigitalOcean tags
     * are plain strings): the pool's ownership ({@code skyward-client:<id>}, {@code skyward-created:<epoch>},
     * {@code skyward-expires:<epoch>} or {@code skyward-lease:<seconds>}), read back by
     * {@link #ownedInstances()}.
     */
    private static List<String> tags(LaunchRequest request) {
        Set<String> tags = new java.util.LinkedHashSet<>(List.of(DropletNaming.LIBRARY_TAG,
                DropletNaming.poolTag(request.poolId())));
        request.tags().forEach((k, v) -> tags.add(DropletNaming.tag(k + ":" + v)));
        return List.copyOf(tags);
    }

    /** The pool's key on the account: registered once, found again by name after a restart. */
    private long ensureKey(String poolId, String publicKey) {
        Long known = keyIds.get(poolId);
        if (known != null) {
            return known;
        }
        String name = DropletNaming.keyName(poolId);
        for (JsonNode k : api.list("/v2/account/keys", Map.of(), "ssh_keys")) {
            if (name.equals(k.path("name").asText()) && samePublicKey(publicKey, k.path("public_key").asText())) {
                keyIds.put(poolId, k.path("id").asLong());
                return k.path("id").asLong();
            }
        }
        ObjectNode body = JSON.objectNode().put("name", name).put("public_key", publicKey.strip());
        long id;
        try {
            id = api.post("/v2/account/keys", body).path("ssh_key").path("id").asLong();
        } catch (DigitalOceanException e) {
            // A concurrent launch of the same pool registered it first: use that one.
            if (e.error().status() != 422 || !e.error().message().toLowerCase(Locale.ROOT).contains("already in use")) {
                throw e;
            }
            id = api.list("/v2/account/keys", Map.of(), "ssh_keys").stream()
                    .filter(k -> samePublicKey(publicKey, k.path("public_key").asText()))
                    .mapToLong(k -> k.path("id").asLong()).findFirst().orElseThrow(() -> e);
        }
        keyIds.put(poolId, id);
        return id;
    }

    private static boolean samePublicKey(String a, String b) {
        String[] x = a.strip().split("\\s+");
        String[] y = b.strip().split("\\s+");
        return x.length >= 2 && y.length >= 2 && x[0].equals(y[0]) && x[1].equals(y[1]);
    }

    @Override
    public List<Instance> describe(String poolId) {
        requireToken();
        return droplets(poolId).stream().filter(d -> d.status() != InstanceStatus.TERMINATED)
                .map(d -> d.instance(poolId, login)).toList();
    }

    /**
     * The pool's droplets. GPU droplets are listed only with {@code type=gpus}, which cannot be combined
     * with {@code tag_name}: so GPU droplets are listed by type and filtered by tag here, other droplets
     * by tag.
     */
    private List<Droplet> droplets(String poolId) {
        String tag = DropletNaming.poolTag(poolId);
        Map<Long, Droplet> byId = new LinkedHashMap<>();
        for (JsonNode d : api.list("/v2/droplets", Map.of("type", "gpus"), "droplets")) {
            if (hasTag(d, tag)) {
                byId.put(d.path("id").asLong(), Droplet.of(d));
            }
        }
        for (JsonNode d : api.list("/v2/droplets", Map.of("tag_name", tag), "droplets")) {
            byId.putIfAbsent(d.path("id").asLong(), Droplet.of(d));
        }
        // Listings are eventually consistent: ask for droplets this provider made that they do not show yet.
        Set<Long> mine = created.getOrDefault(poolId, Set.of());
        for (Long id : List.copyOf(mine)) {
            if (byId.containsKey(id)) {
                continue;
            }
            try {
                JsonNode d = api.get("/v2/droplets/" + id, Map.of()).path("droplet");
                if (hasTag(d, tag)) {
                    byId.put(id, Droplet.of(d));
                }
            } catch (DigitalOceanException e) {
                if (e.error().status() != 404) {
                    throw e;
                }
                mine.remove(id); // gone
            }
        }
        return List.copyOf(byId.values());
    }

    /**
     * Every droplet tagged {@code skyward}, whatever its pool or client: GPU droplets are listed with
     * {@code type=gpus} (which cannot be combined with {@code tag_name}) and filtered here, other droplets
     * with {@code tag_name=skyward}. Ownership comes from the {@code skyward-*:} tags, the price from the
     * droplet's size.
     */
    @Override
    public List<OwnedInstance> ownedInstances() {
        requireToken();
        Map<Long, JsonNode> all = new LinkedHashMap<>();
        for (JsonNode d : api.list("/v2/droplets", Map.of("type", "gpus"), "droplets")) {
            if (hasTag(d, DropletNaming.LIBRARY_TAG)) {
                all.put(d.path("id").asLong(), d);
            }
        }
        api.list("/v2/droplets", Map.of("tag_name", DropletNaming.LIBRARY_TAG), "droplets")
                .forEach(d -> all.putIfAbsent(d.path("id").asLong(), d));
        List<OwnedInstance> out = new ArrayList<>();
        for (JsonNode d : all.values()) {
            Map<String, String> tags = new HashMap<>();
            for (JsonNode t : d.path("tags")) {
                String text = t.asText();
                int colon = text.indexOf(':');
                if (text.startsWith("skyward-") && colon > 0) {
                    tags.putIfAbsent(text.substring(0, colon), text.substring(colon + 1));
                }
            }
            String poolId = tags.get(Ownership.POOL);
            Droplet droplet = Droplet.of(d);
            if (poolId == null || droplet.status() == InstanceStatus.TERMINATED) {
                continue;
            }
            java.time.Instant created = null;
            try {
                created = d.hasNonNull("created_at") ? java.time.Instant.parse(d.path("created_at").asText()) : null;
            } catch (java.time.format.DateTimeParseException e) {
                log.debug("droplet {}: created_at {} unreadable", droplet.id(), d.path("created_at").asText());
            }
            JsonNode price = d.path("size").path("price_hourly");
            String type = d.path("size_slug").asText("");
            String region = d.path("region").path("slug").asText("");
            // No login is resolved for a listing: nobody connects.
            out.add(new OwnedInstance(droplet.instance(poolId, ip -> null), Ownership.fromTags(tags).orElse(null), created,
                    type, region, price.isNumber() ? price.asDouble() : catalog().price(type, region, false)));
        }
        return out;
    }

    private static boolean hasTag(JsonNode droplet, String tag) {
        for (JsonNode t : droplet.path("tags")) {
            if (t.asText().equals(tag)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void terminate(String poolId) {
        requireToken();
        long deadline = System.nanoTime() + deleteTimeout.toNanos();
        Set<Long> destroyed = new java.util.HashSet<>();
        List<Droplet> left = droplets(poolId);
        while (!left.isEmpty()) {
            // A launch still running elsewhere may add droplets while this one destroys: destroy newcomers too.
            for (Droplet d : left) {
                if (destroyed.add(d.id())) {
                    destroy(d.id());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new ProviderException(Kind.TRANSIENT, "DigitalOcean droplets of pool " + poolId
                        + " still exist " + deleteTimeout.toSeconds() + " s after they were destroyed: "
                        + left.stream().map(d -> d.id() + " (" + d.name() + ")").collect(Collectors.joining(", "))
                        + "; check https://cloud.digitalocean.com/droplets (tag " + DropletNaming.poolTag(poolId) + ")");
            }
            sleep(pollInterval);
            left = droplets(poolId);
        }
        created.remove(poolId);
        deleteKeys(poolId);
    }

    /**
     * Destroys these droplets of the pool (ids as {@link Instance#id()} gives them) and waits until
     * they are gone; the pool's key and its other droplets stay.
     */
    @Override
    public void terminate(String poolId, java.util.Collection<String> instanceIds) {
        requireToken();
        long deadline = System.nanoTime() + deleteTimeout.toNanos();
        Set<Long> mine = new java.util.HashSet<>();
        for (Droplet d : droplets(poolId)) {
            if (instanceIds.contains(Long.toString(d.id()))) {
                mine.add(d.id());
                destroy(d.id());
            }
        }
        while (!mine.isEmpty()) {
            List<Droplet> left = droplets(poolId).stream().filter(d -> mine.contains(d.id())).toList();
            if (left.isEmpty()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new ProviderException(Kind.TRANSIENT, "DigitalOcean droplets " + mine + " of pool " + poolId
                        + " still exist " + deleteTimeout.toSeconds() + " s after they were destroyed; check "
                        + "https://cloud.digitalocean.com/droplets");
            }
            sleep(pollInterval);
        }
        Set<Long> created = this.created.get(poolId);
        if (created != null) {
            created.removeAll(mine);
        }
    }

    /**
     * Destroys a droplet with everything attached (DigitalOcean's dangerous destroy). A destroy that is
     * already under way, or a droplet already gone, counts as done.
     */
    private void destroy(long dropletId) {
        try {
            api.delete("/v2/droplets/" + dropletId + "/destroy_with_associated_resources/dangerous",
                    Map.of("X-Dangerous", "true"));
        } catch (DigitalOceanException e) {
            String m = e.error().message().toLowerCase(Locale.ROOT);
            if (e.error().status() == 404 || m.contains("already in progress") || m.contains("already being")) {
                log.debug("droplet {}: {}", dropletId, e.error().message());
                return;
            }
            throw e;
        }
    }

    private void deleteKeys(String poolId) {
        keyIds.remove(poolId);
        String name = DropletNaming.keyName(poolId);
        for (JsonNode k : api.list("/v2/account/keys", Map.of(), "ssh_keys")) {
            if (name.equals(k.path("name").asText())) {
                try {
                    api.delete("/v2/account/keys/" + k.path("id").asLong(), Map.of());
                } catch (DigitalOceanException e) {
                    if (e.error().status() != 404) {
                        throw e;
                    }
                }
            }
        }
    }

    /**
     * Destroys the powered-off droplets this library made (tag {@code skyward}, status {@code off}):
     * nodes whose client died power off when no self-destruct token was granted, and are still billed.
     * Waits until they are gone and deletes their pools' SSH keys. Safe while other pools run: a live
     * pool's droplets are never off.
     *
     * @return the ids of the droplets destroyed
     */
    public List<Long> deleteExpired() {
        requireToken();
        List<Long> gone = new ArrayList<>();
        Set<String> pools = new TreeSet<>();
        Map<Long, JsonNode> all = new LinkedHashMap<>();
        api.list("/v2/droplets", Map.of("type", "gpus"), "droplets").forEach(d -> all.put(d.path("id").asLong(), d));
        api.list("/v2/droplets", Map.of("tag_name", DropletNaming.LIBRARY_TAG), "droplets")
                .forEach(d -> all.putIfAbsent(d.path("id").asLong(), d));
        for (JsonNode d : all.values()) {
            if (hasTag(d, DropletNaming.LIBRARY_TAG) && "off".equals(d.path("status").asText())) {
                log.info("destroying powered-off droplet {} ({}) left by a pool whose client died",
                        d.path("id").asLong(), d.path("name").asText());
                destroy(d.path("id").asLong());
                gone.add(d.path("id").asLong());
                for (JsonNode t : d.path("tags")) {
                    if (t.asText().startsWith("skyward-pool:")) {
                        pools.add(t.asText().substring("skyward-pool:".length()));
                    }
                }
            }
        }
        for (String pool : pools) {
            terminate(pool); // waits until its droplets are gone, then deletes its key
        }
        return gone;
    }

    /**
     * The shell command a node runs when its client's heartbeats stop past the grace, or its lifetime
     * ends: destroy its own droplet through the API when a token was granted for it (falling back to
     * powering off when that fails), else power off.
     *
     * @param instance the node's droplet
     * @return the command, for {@code --on-expire}
     */
    String onExpireCommand(Instance instance) {
        if (selfDestructToken == null) {
            return "poweroff";
        }
        String droplet = url("/v2/droplets/" + instance.id() + "/destroy_with_associated_resources/dangerous");
        Long keyId = keyIds.get(instance.poolId());
        // The pool's key first (no client is left to delete it), then the droplet; power off if that fails.
        return "A='Authorization: Bearer " + selfDestructToken.replace("'", "") + "'; "
                + (keyId == null ? "" : "curl -sS -m 30 -o /dev/null -X DELETE -H \"$A\" '"
                        + url("/v2/account/keys/" + keyId) + "'; ")
                + "curl -fsS -m 30 -o /dev/null -X DELETE -H 'X-Dangerous: true' -H \"$A\" '" + droplet
                + "' || poweroff";
    }

    private String url(String path) {
        return api.base().newBuilder().encodedPath(path).build().toString();
    }

    private void requireToken() {
        if (!token.found()) {
            throw new ProviderException(Kind.CREDENTIALS, "DigitalOcean: " + token.source());
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(Kind.FATAL, "interrupted while waiting for DigitalOcean", e);
        }
    }

    @Override
    public String toString() {
        return "DigitalOcean[" + baseUrl + ", token from " + (token.found() ? token.source() : "nowhere") + "]";
    }

    /** Configures a {@link DigitalOcean} provider. */
    public static final class Builder {
        private String token;
        private Map<String, String> env = System.getenv();
        private String baseUrl = DEFAULT_BASE_URL;
        private final List<String> regions = new ArrayList<>();
        private String image;
        private String selfDestructToken;
        private Function<String, SshEndpoint> login = ip -> new SshEndpoint(ip, 22, "root");
        private Duration pollInterval = Duration.ofSeconds(5);
        private Duration deleteTimeout = Duration.ofMinutes(10);
        private Duration maxRateLimitWait = Duration.ofSeconds(90);

        private Builder() {
        }

        /**
         * The API token to use instead of looking one up.
         *
         * @param token a DigitalOcean API token
         * @return this builder
         */
        public Builder token(String token) {
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("DigitalOcean token is empty; " + DigitalOceanToken.HELP);
            }
            this.token = token.strip();
            return this;
        }

        /**
         * Where the token lookup reads {@code DIGITALOCEAN_TOKEN} and friends (default: this process's
         * environment).
         *
         * @param env environment variables
         * @return this builder
         */
        public Builder environment(Map<String, String> env) {
            this.env = Map.copyOf(env);
            return this;
        }

        /**
         * The API's base URL (default {@value #DEFAULT_BASE_URL}), e.g. for a proxy.
         *
         * @param baseUrl scheme, host and port
         * @return this builder
         */
        public Builder baseUrl(String baseUrl) {
            if (okhttp3.HttpUrl.parse(baseUrl) == null) {
                throw new IllegalArgumentException("DigitalOcean base URL must be an http(s) URL: " + baseUrl);
            }
            this.baseUrl = baseUrl.replaceAll("/+$", "");
            return this;
        }

        /**
         * Regions to use, most preferred first; offers elsewhere are left out (default: every region of
         * the catalog).
         *
         * @param slugs region slugs, e.g. {@code nyc2}
         * @return this builder
         */
        public Builder regions(String... slugs) {
            for (String s : slugs) {
                if (!s.matches("[a-z]{3}[0-9]")) {
                    throw new IllegalArgumentException("not a DigitalOcean region slug: '" + s + "' (e.g. nyc2, tor1)");
                }
                regions.add(s);
            }
            return this;
        }

        /**
         * The image every droplet boots (default: the AI/ML-ready GPU image for the size).
         *
         * @param slug an image slug or id
         * @return this builder
         */
        public Builder image(String slug) {
            this.image = Objects.requireNonNull(slug, "image");
            return this;
        }

        /**
         * Lets a node whose client died destroy its own droplet and the pool's key: the token goes to the
         * node (root there can read it), which uses it only for that. Grant a custom-scoped token
         * (droplet:delete, ssh_key:delete). Without it, such a node powers off, and a powered-off droplet
         * is still billed until {@link DigitalOcean#deleteExpired()} destroys it.
         *
         * @param deleteToken a token that may delete droplets
         * @return this builder
         */
        public Builder selfDestruct(String deleteToken) {
            if (deleteToken == null || deleteToken.isBlank()) {
                throw new IllegalArgumentException("selfDestruct needs a token that may delete droplets");
            }
            this.selfDestructToken = deleteToken.strip();
            return this;
        }

        /**
         * How to log in to a droplet at a public IPv4 address (default {@code root@ADDRESS:22}), for
         * images with another login user or a port forward in between.
         *
         * @param login from the droplet's public address to the SSH endpoint
         * @return this builder
         */
        public Builder login(Function<String, SshEndpoint> login) {
            this.login = Objects.requireNonNull(login, "login");
            return this;
        }

        /**
         * How often droplets are polled while they are destroyed (default 5 s).
         *
         * @param interval the interval
         * @return this builder
         */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = positive(interval, "pollInterval");
            return this;
        }

        /**
         * How long terminate waits for destroyed droplets to disappear (default 10 min).
         *
         * @param timeout the timeout
         * @return this builder
         */
        public Builder deleteTimeout(Duration timeout) {
            this.deleteTimeout = positive(timeout, "deleteTimeout");
            return this;
        }

        /**
         * The longest a call waits for {@code ratelimit-reset} after a 429 before failing (default 90 s).
         *
         * @param wait the bound
         * @return this builder
         */
        public Builder maxRateLimitWait(Duration wait) {
            this.maxRateLimitWait = positive(wait, "maxRateLimitWait");
            return this;
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
            return d;
        }

        /** The provider. */
        public DigitalOcean build() {
            return new DigitalOcean(this);
        }
    }
}
