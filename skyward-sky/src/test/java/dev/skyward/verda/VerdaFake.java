package dev.skyward.verda;

import dev.skyward.testkit.hosts.CloudHosts;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Verda module's cloud-in-a-box ({@link FakeVerda}, the shapes the official SDKs send and parse,
 * instances as loopback OpenSSH hosts), opened to the cross-cloud tests in another package.
 */
public final class VerdaFake implements AutoCloseable {


    private final CloudHosts hosts;
    private final FakeVerda fake;

    private VerdaFake(CloudHosts hosts, FakeVerda fake) {
        this.hosts = hosts;
        this.fake = fake;
    }

    public static VerdaFake start() throws IOException {
        CloudHosts hosts = CloudHosts.start("vdsky");
        try {
            return new VerdaFake(hosts, FakeVerda.start(hosts));
        } catch (IOException | RuntimeException e) {
            hosts.close();
            throw e;
        }
    }

    /** The provider pointed at the fake, with the client credentials it accepts. */
    public Verda.Builder provider() {
        return Verda.builder().credentials(FakeVerda.CLIENT_ID, FakeVerda.CLIENT_SECRET).baseUrl(fake.baseUrl())
                .login(fake::login).pollInterval(Duration.ofMillis(100)).deleteTimeout(Duration.ofSeconds(30))
                .retries(3, Duration.ofMillis(50));
    }

    /**
     * What a process started with no flags needs in its environment to reach this fake by name
     * ({@code skyward status}, {@code .provider("verda")}): the credentials and {@code SKYWARD_VERDA_URL}.
     */
    public Map<String, String> cliEnvironment() {
        return Map.of("VERDA_CLIENT_ID", FakeVerda.CLIENT_ID, "VERDA_CLIENT_SECRET", FakeVerda.CLIENT_SECRET,
                VerdaDescriptor.URL_ENV, fake.baseUrl());
    }

    /** The fake's API base URL ({@code http://127.0.0.1:PORT/v1}). */
    public String baseUrl() {
        return fake.baseUrl();
    }

    /** The provider whose nodes delete their own instance when they expire (else they power off, still billed). */
    public Verda.Builder selfDestructing() {
        return provider().selfDestruct(FakeVerda.CLIENT_ID, FakeVerda.CLIENT_SECRET);
    }

    /** The provider with client credentials Verda refuses (401 Invalid client credentials). */
    public Verda.Builder badCredentials() {
        return provider().credentials("someone-else", "wrong");
    }

    /**
     * No capacity anywhere: creations are accepted, and each instance then ends in {@code no_capacity}
     * (Verda's half-made instance, which still has to be deleted); availability reports nothing.
     */
    public void noCapacity() {
        dev.skyward.offer.Catalog.load(Verda.NAME).offers().stream().map(o -> o.region()).distinct()
                .forEach(fake::noCapacityIn);
    }

    /** No capacity in one location (see {@link #noCapacity()}). */
    public void noCapacityIn(String location) {
        fake.noCapacityIn(location);
    }

    /** Every creation answers insufficient_funds (the account's balance: a quota). */
    public void quotaExceeded() {
        fake.insufficientFunds(true);
    }

    /** Answers the next {@code times} calls matching method and path (after /v1) with this error. */
    public void injectError(String method, String pathPrefix, int times, int status, String code, String message) {
        fake.injectError(method, pathPrefix, times, status, code, message);
    }

    public void clear() {
        fake.clear();
    }

    /** "METHOD /path" of every call, in order. */
    public List<String> requests() {
        return fake.requests();
    }

    /** Instance id to status, of every instance that exists. */
    public Map<String, String> statuses() {
        return fake.statuses();
    }

    /** Where the instances with these ids were asked for. */
    public List<String> locationsOf(java.util.Set<String> ids) {
        return fake.locationsOf(ids);
    }

    /**
     * What is left, whatever pool made it: instances (any status: a {@code no_capacity} one is still an
     * instance), SSH keys, hosts' sshd, users or processes; and any request the real API would refuse.
     */
    public List<String> leftovers() {
        List<String> left = new ArrayList<>();
        fake.statuses().forEach((id, status) -> left.add("verda instance " + id + " " + status));
        if (fake.keyCount() > 0) {
            left.add("verda ssh keys: " + fake.keyCount());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> hostsLeft = hosts.leftovers();
        while (!hostsLeft.isEmpty() && System.nanoTime() < deadline) {
            sleep();
            hostsLeft = hosts.leftovers();
        }
        hostsLeft.forEach(h -> left.add("verda host: " + h));
        fake.violations().forEach(v -> left.add("verda violation: " + v));
        return left;
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
