package dev.skyward.digitalocean;

import dev.skyward.PoolConfigurationException;
import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderCheck;
import dev.skyward.spi.ProviderDescriptor;
import java.nio.file.Path;
import java.util.Map;

/**
 * Makes DigitalOcean findable as {@code "digitalocean"}: {@code .provider("digitalocean")} and
 * {@code skyward check} find the token in {@code DIGITALOCEAN_TOKEN}, {@code DIGITALOCEAN_ACCESS_TOKEN}
 * or doctl's config; the catalog is this module's {@code dev/skyward/catalogs/digitalocean.csv}.
 */
public final class DigitalOceanDescriptor implements ProviderDescriptor {

    /**
     * The API base URL for providers made by name (a fake: how the CLI's tests reach it; real users leave
     * it unset), e.g. {@code http://127.0.0.1:8080}.
     */
    public static final String URL_ENV = "SKYWARD_DIGITALOCEAN_URL";

    private final Map<String, String> env;
    private final Path home;

    /** Reads the process environment and {@code user.home}. */
    public DigitalOceanDescriptor() {
        this(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    DigitalOceanDescriptor(Map<String, String> env, Path home) {
        this.env = env;
        this.home = home;
    }

    @Override
    public String name() {
        return DigitalOcean.NAME;
    }

    @Override
    public ProviderCheck check() {
        return DigitalOceanToken.lookup(env, home).check();
    }

    @Override
    public Provider create() {
        DigitalOceanToken token = DigitalOceanToken.lookup(env, home);
        if (!token.found()) {
            throw new PoolConfigurationException("DigitalOcean: " + token.source());
        }
        DigitalOcean.Builder b = DigitalOcean.builder().environment(env);
        String url = env.get(URL_ENV);
        if (url != null && !url.isBlank()) {
            b.baseUrl(url);
        }
        return b.build();
    }
}
