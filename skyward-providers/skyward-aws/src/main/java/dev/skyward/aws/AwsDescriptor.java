package dev.skyward.aws;

import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderCheck;
import dev.skyward.spi.ProviderDescriptor;

/**
 * Makes {@code ComputePool.builder().provider("aws")}, {@code skyward check} and {@code skyward offers}
 * find this module.
 */
public final class AwsDescriptor implements ProviderDescriptor {

    /** Sends the EC2 and SSM calls of providers made by name to this endpoint, e.g. {@code http://127.0.0.1:5000}. */
    public static final String ENDPOINT_ENV = "SKYWARD_AWS_ENDPOINT";

    @Override
    public String name() {
        return Aws.NAME;
    }

    @Override
    public ProviderCheck check() {
        return AwsCredentialSource.system(null).check();
    }

    /**
     * {@code new Aws()}, sent to the endpoint in {@value #ENDPOINT_ENV} when that is set (an emulator:
     * how the CLI's tests reach moto; real users leave it unset).
     */
    @Override
    public Provider create() {
        String endpoint = System.getenv(ENDPOINT_ENV);
        return endpoint == null || endpoint.isBlank() ? new Aws()
                : Aws.builder().endpointOverride(java.net.URI.create(endpoint)).build();
    }
}
