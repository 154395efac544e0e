package dev.skyward.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The SDK clients of one provider, one set per region, made on first use and closed with the provider.
 * RunInstances gets a client of its own with the SDK's retries off: AWS answers a capacity shortage with
 * HTTP 500, which the default policy would retry four times in the same zone (PROVIDER-APIS.md).
 */
final class AwsClients implements AutoCloseable {

    /** The clients of one region. */
    record Regional(Ec2Client ec2, Ec2Client runInstances, SsmClient ssm) {
    }

    private final AwsCredentialsProvider credentials;
    private final URI endpoint;
    private final Map<String, Regional> byRegion = new ConcurrentHashMap<>();

    AwsClients(AwsCredentialsProvider credentials, String profile, URI endpoint) {
        this.credentials = credentials != null ? credentials
                : profile != null ? ProfileCredentialsProvider.create(profile)
                : DefaultCredentialsProvider.builder().build();
        this.endpoint = endpoint;
    }

    Regional in(String region) {
        return byRegion.computeIfAbsent(region, this::create);
    }

    private Regional create(String region) {
        ClientOverrideConfiguration standard = ClientOverrideConfiguration.builder()
                .apiCallTimeout(Duration.ofMinutes(2)).build();
        ClientOverrideConfiguration noRetries = ClientOverrideConfiguration.builder()
                .retryStrategy(RetryMode.STANDARD).retryStrategy(b -> b.maxAttempts(1))
                .apiCallTimeout(Duration.ofMinutes(2)).build();
        var ec2 = Ec2Client.builder().region(Region.of(region)).credentialsProvider(credentials)
                .overrideConfiguration(standard);
        var run = Ec2Client.builder().region(Region.of(region)).credentialsProvider(credentials)
                .overrideConfiguration(noRetries);
        var ssm = SsmClient.builder().region(Region.of(region)).credentialsProvider(credentials)
                .overrideConfiguration(standard);
        if (endpoint != null) {
            ec2.endpointOverride(endpoint);
            run.endpointOverride(endpoint);
            ssm.endpointOverride(endpoint);
        }
        return new Regional(ec2.build(), run.build(), ssm.build());
    }

    @Override
    public void close() {
        byRegion.values().forEach(r -> {
            r.ec2().close();
            r.runInstances().close();
            r.ssm().close();
        });
        byRegion.clear();
    }
}
