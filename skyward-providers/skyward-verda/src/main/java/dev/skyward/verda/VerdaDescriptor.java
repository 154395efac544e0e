package dev.skyward.verda;

import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderCheck;
import dev.skyward.spi.ProviderDescriptor;

/**
 * Makes Verda findable by name ({@code ComputePool.builder().provider("verda")}, {@code skyward check},
 * {@code skyward offers}); listed in {@code META-INF/services/dev.skyward.spi.ProviderDescriptor}.
 */
public final class VerdaDescriptor implements ProviderDescriptor {

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

    @Override
    public Provider create() {
        return new Verda();
    }
}
