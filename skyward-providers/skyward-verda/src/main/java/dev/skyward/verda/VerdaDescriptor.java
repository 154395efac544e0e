package dev.skyward.verda;

import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderCheck;
import dev.skyward.spi.ProviderDescriptor;

/**
 * Makes Verda findable by name ({@code ComputePool.builder().provider("verda")}, {@code skyward check},
 * {@code skyward offers}); listed in {@code META-INF/services/dev.skyward.spi.ProviderDescriptor}.
 */
public final class VerdaDescriptor implements ProviderDescriptor {

    /** The API base URL for providers made by name, e.g. {@code http://127.0.0.1:8443/v1}. */
    public static final String URL_ENV = "SKYWARD_VERDA_URL";

    /** For {@link java.util.ServiceLoader}. */
    public VerdaDescriptor() {
    }

    @Override
    public String name() {
        return Verda.NAME;
    }

    @Override
    public ProviderCheck check() {
        return VerdaCredentials.lookup().check();
    }

    /**
     * {@code new Verda()}, on the API at {@value #URL_ENV} when that is set (a fake: how the CLI's tests
     * reach it; real users leave it unset).
     */
    @Override
    public Provider create() {
        String url = System.getenv(URL_ENV);
        return url == null || url.isBlank() ? new Verda() : Verda.builder().baseUrl(url).build();
    }
}
