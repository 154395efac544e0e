package dev.skyward.spi;

/**
 * What makes a provider module findable by name: {@code ComputePool.builder().provider("digitalocean")}
 * and the {@code skyward check} / {@code skyward offers} commands look up every descriptor on the
 * classpath with {@link java.util.ServiceLoader}. A provider module lists its descriptor in
 * {@code META-INF/services/dev.skyward.spi.ProviderDescriptor} and ships its offer catalog as the
 * resource {@code dev/skyward/catalogs/<name>.csv}.
 *
 * <pre>{@code
 * public final class DigitalOceanDescriptor implements ProviderDescriptor {
 *     public String name() { return "digitalocean"; }
 *     public ProviderCheck check() { return DigitalOceanToken.lookup().check(); }   // no network
 *     public Provider create() { return new DigitalOcean(); }
 * }
 * }</pre>
 */
public interface ProviderDescriptor {

    /** The provider's name, as in {@link Provider#name()}. */
    String name();

    /**
     * Whether credentials can be found, and where, without calling the provider's API; when not, what
     * to set. Never throws for missing credentials.
     *
     * @return the check
     */
    ProviderCheck check();

    /**
     * A provider configured from the environment (credentials, config files), as {@code new Aws()}
     * would be.
     *
     * @return the provider
     * @throws dev.skyward.PoolConfigurationException when it cannot be configured, saying what to set
     */
    Provider create();
}
