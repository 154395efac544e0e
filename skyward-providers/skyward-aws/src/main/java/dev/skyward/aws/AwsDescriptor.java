package dev.skyward.aws;

import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderCheck;
import dev.skyward.spi.ProviderDescriptor;

/**
 * Makes {@code ComputePool.builder().provider("aws")}, {@code skyward check} and {@code skyward offers}
 * find this module.
 */
public final class AwsDescriptor implements ProviderDescriptor {

    @Override
    public String name() {
        return Aws.NAME;
    }

    @Override
    public ProviderCheck check() {
        return AwsCredentialSource.system(null).check();
    }

    @Override
    public Provider create() {
        return new Aws();
    }
}
