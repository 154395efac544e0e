package dev.skyward.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.testkit.Leaks;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.services.ec2.model.Filter;

/**
 * moto plus the hosts behind its instances, and a VPC whose subnets hand out loopback private
 * addresses (127.0.5.0/24 in us-east-1a, 127.0.6.0/24 in us-east-1b), shared by a test class.
 */
final class MotoCloud implements AutoCloseable {

    final Moto moto;
    final InstanceHosts hosts;
    final String vpcId;
    final String subnetA;
    final String subnetB;

    private MotoCloud(Moto moto, InstanceHosts hosts, String vpcId, String subnetA, String subnetB) {
        this.moto = moto;
        this.hosts = hosts;
        this.vpcId = vpcId;
        this.subnetA = subnetA;
        this.subnetB = subnetB;
    }

    static MotoCloud start() throws IOException, InterruptedException {
        Moto moto = Moto.start();
        try {
            String vpc = moto.ec2().createVpc(b -> b.cidrBlock("127.0.0.0/16")).vpc().vpcId();
            String a = moto.ec2().createSubnet(b -> b.vpcId(vpc).cidrBlock("127.0.5.0/24")
                    .availabilityZone("us-east-1a")).subnet().subnetId();
            String bz = moto.ec2().createSubnet(b -> b.vpcId(vpc).cidrBlock("127.0.6.0/24")
                    .availabilityZone("us-east-1b")).subnet().subnetId();
            return new MotoCloud(moto, InstanceHosts.start(moto), vpc, a, bz);
        } catch (IOException | RuntimeException e) {
            moto.close();
            throw e;
        }
    }

    /** The provider as a test uses it: moto's endpoint, the loopback VPC, private addresses, the hosts' logins. */
    Aws.Builder aws() {
        return moto.aws().vpc(vpcId).privateAddresses().login(hosts::login);
    }

    List<software.amazon.awssdk.services.ec2.model.Instance> instances(String poolId, String... states) {
        List<software.amazon.awssdk.services.ec2.model.Instance> out = new java.util.ArrayList<>();
        moto.ec2().describeInstancesPaginator(b -> b.filters(
                        Filter.builder().name("tag:" + Aws.POOL_TAG).values(poolId).build(),
                        Filter.builder().name("instance-state-name").values(states).build()))
                .reservations().forEach(r -> out.addAll(r.instances()));
        return out;
    }

    /**
     * Nothing of the pool is left, asked through moto's API: no instance that is not terminated, no
     * security group, no key pair; and no host, Unix user or agent process on this machine.
     */
    void assertNothingLeft(String poolId) throws IOException {
        assertThat(instances(poolId, "pending", "running", "shutting-down", "stopping", "stopped"))
                .as("instances of " + poolId + " not terminated").isEmpty();
        assertThat(moto.ec2().describeSecurityGroups(b -> b.filters(
                Filter.builder().name("tag:" + Aws.POOL_TAG).values(poolId).build())).securityGroups())
                .as("security groups of " + poolId).isEmpty();
        assertThat(moto.ec2().describeKeyPairs(b -> { }).keyPairs())
                .as("key pairs of " + poolId).noneMatch(k -> k.keyName().contains(poolId));
        assertThat(hosts.awaitNoHosts(Duration.ofSeconds(15))).as("hosts of the instances").isEmpty();
        Leaks.assertNothingLeft(poolId, List.of());
    }

    @Override
    public void close() {
        hosts.close();
        moto.close();
    }
}
