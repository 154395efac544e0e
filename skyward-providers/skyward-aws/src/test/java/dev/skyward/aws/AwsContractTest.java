package dev.skyward.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.spi.Offer;
import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderException;
import dev.skyward.testkit.provider.ProviderContractTest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.ec2.model.Filter;

/** The provider contract every module keeps, for AWS against moto, with AWS's own error answers. */
@Timeout(120)
class AwsContractTest extends ProviderContractTest {

    static MotoCloud cloud;
    static Aws aws;

    @BeforeAll
    static void start() throws Exception {
        cloud = MotoCloud.start();
        aws = cloud.aws().build();
    }

    @AfterAll
    static void stop() {
        if (aws != null) {
            aws.close();
        }
        if (cloud != null) {
            cloud.close();
        }
    }

    @Override
    protected Provider provider() {
        return aws;
    }

    @Override
    protected Offer offer() {
        return AwsProviderTest.offer("c7i.large");
    }

    @Override
    protected String sshPublicKey(String poolId) {
        return AwsProviderTest.KEY.replace("skyward-test", "skyward-" + poolId);
    }

    @Override
    protected void failNextLaunch(ProviderException.Kind kind) {
        switch (kind) {
            case CAPACITY -> cloud.moto.failWith("RunInstances", Map.of(), "500 Internal Server Error",
                    "InsufficientInstanceCapacity", "We currently do not have sufficient c7i.large capacity.", 0);
            case QUOTA -> cloud.moto.failWith("RunInstances", Map.of(), "400 Bad Request", "VcpuLimitExceeded",
                    "You have requested more vCPU capacity than your current vCPU limit of 0 allows.", 0);
            case CREDENTIALS -> cloud.moto.failWith("RunInstances", Map.of(), "403 Forbidden", "UnauthorizedOperation",
                    "You are not authorized to perform this operation.", 0);
            case TRANSIENT -> cloud.moto.failWith("RunInstances", Map.of(), "503 Service Unavailable",
                    "RequestLimitExceeded", "Request limit exceeded.", 0);
            case FATAL -> cloud.moto.failWith("RunInstances", Map.of(), "400 Bad Request", "InvalidParameterValue",
                    "Value (c7i.large) for parameter instanceType is invalid.", 0);
        }
    }

    /**
     * EC2 starts a pool's instances in one all-or-nothing call, so "halfway" is a call that took effect
     * and whose answer was lost: the instances exist, tagged, and the provider saw an error.
     */
    @Override
    protected void failLaunchAfterFirstInstance() {
        cloud.moto.failAfter("RunInstances", "500 Internal Server Error", "InternalError",
                "An internal error has occurred.");
    }

    @Override
    protected void clearFailures() {
        cloud.moto.clear();
    }

    @Override
    protected void assertNothingLeft() {
        assertThat(cloud.moto.ec2().describeInstances(b -> b.filters(
                Filter.builder().name("tag-key").values(Aws.POOL_TAG).build(),
                Filter.builder().name("instance-state-name").values("pending", "running", "stopping", "stopped").build()))
                .reservations()).as("instances not terminated").isEmpty();
        assertThat(cloud.moto.ec2().describeSecurityGroups(b -> b.filters(
                Filter.builder().name("tag-key").values(Aws.POOL_TAG).build())).securityGroups())
                .as("security groups").isEmpty();
        assertThat(cloud.moto.ec2().describeKeyPairs(b -> { }).keyPairs()).as("key pairs")
                .noneMatch(k -> k.keyName().startsWith("skyward-"));
        assertThat(cloud.hosts.awaitNoHosts(java.time.Duration.ofSeconds(15))).as("hosts").isEmpty();
    }
}
