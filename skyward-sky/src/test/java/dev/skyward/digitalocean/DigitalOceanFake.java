package dev.skyward.digitalocean;

import dev.skyward.testkit.hosts.CloudHosts;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The DigitalOcean module's cloud-in-a-box ({@link FakeDigitalOcean}, every call validated against
 * the published OpenAPI spec, droplets as loopback OpenSSH hosts), opened to the cross-cloud tests in
 * another package.
 */
public final class DigitalOceanFake implements AutoCloseable {

    static final String TOKEN = "dop_v1_sky";
    /** A second token the fake accepts, for the nodes' self-destruct (a real one would be scoped to deletes). */
    static final String DELETE_TOKEN = "dop_v1_sky_delete";

    private final CloudHosts hosts;
    private final FakeDigitalOcean fake;

    private DigitalOceanFake(CloudHosts hosts, FakeDigitalOcean fake) {
        this.hosts = hosts;
        this.fake = fake;
    }

    public static DigitalOceanFake start() throws IOException {
        CloudHosts hosts = CloudHosts.start("dosky");
        try {
            FakeDigitalOcean fake = FakeDigitalOcean.start(hosts, TOKEN);
            fake.acceptToken(DELETE_TOKEN);
            return new DigitalOceanFake(hosts, fake);
        } catch (IOException | RuntimeException e) {
            hosts.close();
            throw e;
        }
    }

    /** The provider pointed at the fake, with the token it accepts. */
    public DigitalOcean.Builder provider() {
        return DigitalOcean.builder().token(TOKEN).baseUrl(fake.baseUrl()).login(fake::login)
                .pollInterval(Duration.ofMillis(200)).deleteTimeout(Duration.ofSeconds(60));
    }

    /**
     * What a process started with no flags needs in its environment to reach this fake by name: the
     * token and {@code SKYWARD_DIGITALOCEAN_URL}.
     */
    public java.util.Map<String, String> cliEnvironment() {
        return java.util.Map.of("DIGITALOCEAN_TOKEN", TOKEN, DigitalOceanDescriptor.URL_ENV, fake.baseUrl());
    }

    /** The provider whose nodes destroy their own droplet when they expire (else they power off, still billed). */
    public DigitalOcean.Builder selfDestructing() {
        return provider().selfDestruct(DELETE_TOKEN);
    }

    /** The provider with a token DigitalOcean refuses (401 Unable to authenticate you). */
    public DigitalOcean.Builder badCredentials() {
        return provider().token("dop_v1_revoked");
    }

    /** Every droplet creation in every region answers DigitalOcean's capacity error. */
    public void noCapacity() {
        fake.inject("POST", "/v2/droplets", -1, 422, "unprocessable_entity", "Size is not available in this region.",
                Map.of());
    }

    /** Accepts {@code accepted} creations in a region, then refuses the rest there as out of capacity. */
    public void capacityRunsOutIn(String region, int accepted) {
        fake.capacityRunsOutIn(region, accepted);
    }

    /** The account's droplet limit is reached (a quota). */
    public void quotaExceeded() {
        fake.dropletLimit(0);
    }

    /** Marks a size unavailable everywhere ({@code available: false} in /v2/sizes). */
    public void sizeAvailable(String slug, boolean available) {
        fake.sizeAvailable(slug, available);
    }

    /** The next {@code times} calls matching method and path prefix answer this error. */
    public void inject(String method, String pathPrefix, int times, int status, String id, String message) {
        fake.inject(method, pathPrefix, times, status, id, message, Map.of());
    }

    /** Back to a healthy account: no injected failure, the usual droplet limit, every size available. */
    public void clear() {
        fake.clearInjections();
        fake.dropletLimit(25);
    }

    /** Every request seen, as {@code METHOD path?query}. */
    public List<String> requests() {
        return fake.requests();
    }

    /** Droplets that exist, as {@code id region size status}. */
    public List<String> droplets() {
        return fake.droplets().stream().map(d -> d.id + " " + d.region + " " + d.size.path("slug").asText() + " "
                + d.status()).toList();
    }

    /**
     * What is left, whatever pool made it: droplets, SSH keys on the account, hosts' sshd, users or
     * processes; and any request or response that broke the API spec.
     */
    public List<String> leftovers() {
        List<String> left = new ArrayList<>();
        droplets().forEach(d -> left.add("digitalocean droplet " + d));
        if (fake.keyCount() > 0) {
            left.add("digitalocean ssh keys: " + fake.keyCount());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> hostsLeft = hosts.leftovers();
        while (!hostsLeft.isEmpty() && System.nanoTime() < deadline) {
            sleep();
            hostsLeft = hosts.leftovers();
        }
        hostsLeft.forEach(h -> left.add("digitalocean host: " + h));
        fake.violations().forEach(v -> left.add("digitalocean spec violation: " + v));
        return left;
    }

    /** Forgets spec violations provoked on purpose. */
    public void clearViolations() {
        fake.clearViolations();
    }

    @Override
    public void close() {
        fake.close();
        hosts.close();
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
