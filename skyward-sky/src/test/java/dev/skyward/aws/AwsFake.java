package dev.skyward.aws;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.ec2.model.Filter;

/**
 * The AWS module's moto cloud ({@link MotoCloud}: moto plus the loopback hosts behind its instances),
 * opened to the cross-cloud tests in another package: the fake's classes stay package-private in
 * skyward-aws, this is their one public face.
 */
public final class AwsFake implements AutoCloseable {

    /** The access key the fake refuses with AuthFailure (see {@link #badCredentials()}). */
    static final String REVOKED_KEY = "AKIAREVOKEDKEY000001";

    private final MotoCloud cloud;

    private AwsFake(MotoCloud cloud) {
        this.cloud = cloud;
    }

    /** Starts moto and its VPC, or skips the calling test (fails under CI) when python3 has no moto. */
    public static AwsFake start() throws IOException, InterruptedException {
        MotoCloud cloud = MotoCloud.start();
        cloud.moto.rejectKey(REVOKED_KEY);
        return new AwsFake(cloud);
    }

    /** The provider pointed at moto, with working credentials. */
    public Aws.Builder provider() {
        return cloud.aws();
    }

    /**
     * What a process started with no flags needs in its environment to reach moto by name: static
     * credentials, the region, and {@code SKYWARD_AWS_ENDPOINT}.
     */
    public Map<String, String> cliEnvironment() {
        return Map.of("AWS_ACCESS_KEY_ID", Moto.KEY, "AWS_SECRET_ACCESS_KEY", Moto.SECRET, "AWS_REGION", Moto.REGION,
                AwsDescriptor.ENDPOINT_ENV, cloud.moto.endpoint().toString());
    }

    /** The provider with credentials AWS refuses ({@code AuthFailure}). */
    public Aws.Builder badCredentials() {
        return cloud.aws().credentials(StaticCredentialsProvider.create(
                AwsBasicCredentials.create(REVOKED_KEY, "wrong")));
    }

    /** Every RunInstances answers InsufficientInstanceCapacity (all zones, spot and on-demand). */
    public void noCapacity() {
        cloud.moto.failWith("RunInstances", Map.of(), "500 Internal Server Error", "InsufficientInstanceCapacity",
                "We currently do not have sufficient capacity in the Availability Zone you requested.", 0);
    }

    /** Every RunInstances answers VcpuLimitExceeded (a region's quota). */
    public void quotaExceeded() {
        cloud.moto.failWith("RunInstances", Map.of(), "400 Bad Request", "VcpuLimitExceeded",
                "You have requested more vCPU capacity than your current vCPU limit of 0 allows for the instance "
                        + "bucket that the specified instance type belongs to.", 0);
    }

    /** Answers matching EC2 requests with an AWS error, {@code times} times (0: every time). */
    public void failWith(String action, Map<String, String> params, String status, String code, String message,
            int times) {
        cloud.moto.failWith(action, params, status, code, message, times);
    }

    /**
     * AWS stops offering this type in this zone (every zone when {@code zone} is empty): live
     * availability (DescribeInstanceTypeOfferings) leaves it out.
     */
    public void withdrawOffering(String instanceType, String zone) {
        cloud.moto.withdrawOffering(instanceType, zone);
    }

    /** Back to plain moto (state kept; the revoked key stays revoked). */
    public void clear() {
        cloud.moto.clear();
        cloud.moto.rejectKey(REVOKED_KEY);
    }

    /** Parameters of each request of this EC2 action since the last {@link #clear}. */
    public List<Map<String, String>> requests(String action) {
        return cloud.moto.requests(action);
    }

    /** Instances of a pool in these states, as EC2 reports them. */
    public List<software.amazon.awssdk.services.ec2.model.Instance> instances(String poolId, String... states) {
        return cloud.instances(poolId, states);
    }

    /** The states of every instance not yet terminated (what EC2 bills for, stopped ones' volumes included). */
    public List<String> billedStates() {
        List<String> out = new ArrayList<>();
        cloud.moto.ec2().describeInstancesPaginator(b -> b.filters(Filter.builder().name("instance-state-name")
                        .values("pending", "running", "shutting-down", "stopping", "stopped").build()))
                .reservations().forEach(r -> r.instances().forEach(i -> out.add(i.state().nameAsString())));
        return out;
    }

    /**
     * What is left on the account and on this machine, whatever pool made it: instances not terminated,
     * Skyward's security groups and key pairs, and the instances' hosts (sshd, users, processes).
     */
    public List<String> leftovers() {
        List<String> left = new ArrayList<>();
        cloud.moto.ec2().describeInstancesPaginator(b -> b.filters(Filter.builder().name("instance-state-name")
                        .values("pending", "running", "shutting-down", "stopping", "stopped").build()))
                .reservations().forEach(r -> r.instances().forEach(i -> left.add("aws instance " + i.instanceId()
                        + " " + i.state().nameAsString())));
        cloud.moto.ec2().describeSecurityGroups(b -> b.filters(Filter.builder().name("tag-key")
                .values(Aws.POOL_TAG).build())).securityGroups()
                .forEach(g -> left.add("aws security group " + g.groupId() + " " + g.groupName()));
        cloud.moto.ec2().describeKeyPairs(b -> { }).keyPairs().stream().filter(k -> k.keyName().startsWith("skyward"))
                .forEach(k -> left.add("aws key pair " + k.keyName()));
        left.addAll(cloud.hosts.awaitNoHosts(Duration.ofSeconds(15)).stream().map(s -> "aws host: " + s).toList());
        return left;
    }

    /** The moto endpoint (for a child JVM's own client). */
    public java.net.URI endpoint() {
        return cloud.moto.endpoint();
    }

    @Override
    public void close() {
        cloud.close();
    }
}
