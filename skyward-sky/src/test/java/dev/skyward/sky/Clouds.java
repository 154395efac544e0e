package dev.skyward.sky;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.aws.Aws;
import dev.skyward.aws.AwsFake;
import dev.skyward.digitalocean.DigitalOcean;
import dev.skyward.digitalocean.DigitalOceanFake;
import dev.skyward.spi.Provider;
import dev.skyward.testkit.Leaks;
import dev.skyward.verda.Verda;
import dev.skyward.verda.VerdaFake;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three fake clouds at once — moto for AWS, the OpenAPI-validated DigitalOcean fake, the Verda
 * fake — each with its instances as real loopback OpenSSH hosts, and a provider pointed at each. Share
 * one per test class; {@link #reset()} between tests.
 *
 * <pre>{@code
 * try (Clouds clouds = Clouds.start()) {
 *     clouds.fail(Cloud.VERDA, Failure.CAPACITY);
 *     try (ComputePool pool = ComputePool.builder().provider(clouds.all()).accelerator("H100").build()) {
 *         ...
 *     }
 *     clouds.assertNothingLeftAnywhere();
 * }
 * }</pre>
 */
public final class Clouds implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Clouds.class);

    /** The clouds, in the order {@link #all()} gives their providers. */
    public enum Cloud {
        AWS, DIGITALOCEAN, VERDA
    }

    /** What a cloud can be made to answer every launch with. */
    public enum Failure {
        /** No capacity for any offer anywhere (AWS InsufficientInstanceCapacity, DO 422, Verda no_capacity). */
        CAPACITY,
        /** A quota (AWS VcpuLimitExceeded, DO droplet limit, Verda insufficient funds). */
        QUOTA,
        /** The provider's credentials are refused (AWS AuthFailure, DO 401, Verda 401). */
        CREDENTIALS
    }

    public final AwsFake aws;
    public final DigitalOceanFake digitalOcean;
    public final VerdaFake verda;
    private final Map<Cloud, Provider> providers = new EnumMap<>(Cloud.class);
    private final List<Provider> made = new ArrayList<>();

    private Clouds(AwsFake aws, DigitalOceanFake digitalOcean, VerdaFake verda) {
        this.aws = aws;
        this.digitalOcean = digitalOcean;
        this.verda = verda;
    }

    /**
     * Starts the three fakes. Skips the calling test when moto is missing (fails under {@code CI=true}),
     * like the AWS module's own tests.
     */
    public static Clouds start() throws Exception {
        AwsFake aws = AwsFake.start();
        DigitalOceanFake digitalOcean = null;
        try {
            digitalOcean = DigitalOceanFake.start();
            VerdaFake verda = VerdaFake.start();
            Clouds c = new Clouds(aws, digitalOcean, verda);
            c.reset();
            return c;
        } catch (Exception | Error e) {
            if (digitalOcean != null) {
                digitalOcean.close();
            }
            aws.close();
            throw e;
        }
    }

    /** The AWS provider as it stands (see {@link #fail}). */
    public Provider aws() {
        return provider(Cloud.AWS);
    }

    public Provider digitalOcean() {
        return provider(Cloud.DIGITALOCEAN);
    }

    public Provider verda() {
        return provider(Cloud.VERDA);
    }

    public synchronized Provider provider(Cloud cloud) {
        return providers.get(cloud);
    }

    /** The three providers, AWS, DigitalOcean, Verda: for {@code .provider(clouds.all())}. */
    public Provider[] all() {
        return new Provider[] {aws(), digitalOcean(), verda()};
    }

    /** From now on every launch on this cloud fails this way (CREDENTIALS: its provider is a new one with bad credentials). */
    public synchronized void fail(Cloud cloud, Failure failure) {
        switch (failure) {
            case CAPACITY -> {
                switch (cloud) {
                    case AWS -> aws.noCapacity();
                    case DIGITALOCEAN -> digitalOcean.noCapacity();
                    case VERDA -> verda.noCapacity();
                }
            }
            case QUOTA -> {
                switch (cloud) {
                    case AWS -> aws.quotaExceeded();
                    case DIGITALOCEAN -> digitalOcean.quotaExceeded();
                    case VERDA -> verda.quotaExceeded();
                }
            }
            case CREDENTIALS -> providers.put(cloud, remember(switch (cloud) {
                case AWS -> aws.badCredentials().build();
                case DIGITALOCEAN -> digitalOcean.badCredentials().build();
                case VERDA -> verda.badCredentials().build();
            }));
        }
    }

    /**
     * Healthy clouds again: no injected failure, providers with good credentials, and the DigitalOcean
     * fake's record of spec violations emptied (a test asserts it at its end; the next starts clean).
     */
    public synchronized void reset() {
        aws.clear();
        digitalOcean.clear();
        digitalOcean.clearViolations();
        verda.clear();
        providers.put(Cloud.AWS, remember(aws.provider().build()));
        providers.put(Cloud.DIGITALOCEAN, remember(digitalOcean.provider().build()));
        providers.put(Cloud.VERDA, remember(verda.provider().build()));
    }

    /** A fresh AWS provider builder pointed at moto, for a test that configures it further. */
    public Aws.Builder awsBuilder() {
        return aws.provider();
    }

    public DigitalOcean.Builder digitalOceanBuilder() {
        return digitalOcean.provider();
    }

    public Verda.Builder verdaBuilder() {
        return verda.provider();
    }

    private Provider remember(Provider p) {
        made.add(p);
        return p;
    }

    /**
     * The machines a cloud bills for now, as their states: AWS instances not yet terminated (e.g.
     * {@code running}, {@code stopped}), droplets (e.g. {@code active}, {@code off}), Verda instances
     * (e.g. {@code running}, {@code offline}).
     */
    public List<String> billedMachines(Cloud cloud) {
        return switch (cloud) {
            case AWS -> aws.billedStates();
            case DIGITALOCEAN -> digitalOcean.droplets().stream().map(d -> d.substring(d.lastIndexOf(' ') + 1))
                    .toList();
            case VERDA -> List.copyOf(verda.statuses().values());
        };
    }

    /** What is left on any of the three clouds (every pool's), empty when nothing is. */
    public List<String> leftovers() {
        List<String> left = new ArrayList<>();
        left.addAll(aws.leftovers());
        left.addAll(digitalOcean.leftovers());
        left.addAll(verda.leftovers());
        return left;
    }

    /**
     * Nothing of any pool is left on any cloud — AWS instances not terminated, security groups, key
     * pairs; droplets and SSH keys; Verda instances and SSH keys; every cloud's hosts (sshd, users,
     * processes), and no API call broke the fakes' contracts — and, for the pools named, no agent
     * process, node directory or listening port on this machine.
     */
    public void assertNothingLeftAnywhere(String... poolIds) {
        assertThat(leftovers()).as("left on the three clouds").isEmpty();
        for (String id : poolIds) {
            Leaks.assertNothingLeft(id, Leaks.agentPorts(id));
        }
    }

    @Override
    public void close() {
        for (Provider p : made) {
            if (p instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    log.warn("closing {}: {}", p.name(), e.toString());
                }
            }
        }
        verda.close();
        digitalOcean.close();
        aws.close();
    }
}
