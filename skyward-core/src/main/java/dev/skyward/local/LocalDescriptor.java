package dev.skyward.local;

import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderCheck;
import dev.skyward.spi.ProviderDescriptor;

/** Makes the local provider findable as {@code "local"}; it needs no credentials. */
public final class LocalDescriptor implements ProviderDescriptor {

    @Override
    public String name() {
        return Local.NAME;
    }

    @Override
    public ProviderCheck check() {
        return ProviderCheck.ok(Local.NAME, "this machine (no credentials needed)");
    }

    @Override
    public Provider create() {
        return new Local();
    }
}
