package dev.skyward.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.spi.Instance;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.ec2.model.InstanceAttributeName;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;

/**
 * A pool on EC2, end to end against moto: API → EC2 → SSH to the instances' private addresses (real
 * OpenSSH servers there) → agents → tasks → terminate → nothing left.
 */
@Timeout(180)
class AwsPoolTest {

    static MotoCloud cloud;

    @BeforeAll
    static void start() throws Exception {
        cloud = MotoCloud.start();
    }

    @AfterAll
    static void stop() {
        if (cloud != null) {
            cloud.close();
        }
    }

    @Test
    void aTwoNodePoolRunsOnInstancesReachedAtTheirPrivateAddressesWithRankZeroAsMaster() throws Exception {
        cloud.moto.clear();
        cloud.moto.invisibleFor(java.time.Duration.ofMillis(800));
        String poolId;
        try (Aws aws = cloud.aws().build();
                ComputePool pool = ComputePool.builder().console(false).provider(aws).nodes(2).maxHourlyPrice(0.1)
                        .build()) {
            poolId = pool.id();
            List<String> seen = pool.broadcast(ctx -> ctx.rank() + " " + System.getenv("MASTER_ADDR") + " "
                    + ctx.headAddress() + " " + System.getProperty("user.name"));

            List<Instance> instances = aws.describe(poolId);
            assertThat(instances).hasSize(2).allMatch(i -> i.privateAddress().startsWith("127.0."));
            String rankZero = instances.stream().min(Comparator.comparingInt(Instance::launchIndex)).orElseThrow()
                    .privateAddress();
            assertThat(seen).hasSize(2).allMatch(s -> s.split(" ")[1].equals(rankZero) && s.split(" ")[2].equals(rankZero));
            assertThat(seen).extracting(s -> s.split(" ")[0]).containsExactlyInAnyOrder("0", "1");
            // Each task ran as the Unix user of the host at that instance's address.
            assertThat(seen).extracting(s -> s.split(" ")[3]).doesNotHaveDuplicates()
                    .allMatch(u -> cloud.hosts.live().stream().anyMatch(h -> h.user().equals(u)));

            // What the pool opened: SSH from the VPC's range only, everything from its own group.
            SecurityGroup group = cloud.moto.ec2().describeSecurityGroups(b -> b.filters(f -> f
                    .name("tag:" + Aws.POOL_TAG).values(pool.id()))).securityGroups().get(0);
            assertThat(group.ipPermissions()).hasSize(2);
            IpPermission ssh = group.ipPermissions().stream().filter(p -> "tcp".equals(p.ipProtocol())).findFirst()
                    .orElseThrow();
            assertThat(ssh.fromPort()).isEqualTo(22);
            assertThat(ssh.toPort()).isEqualTo(22);
            assertThat(ssh.ipRanges()).extracting(r -> r.cidrIp()).containsExactly("127.0.0.0/16");
            IpPermission internal = group.ipPermissions().stream().filter(p -> "-1".equals(p.ipProtocol()))
                    .findFirst().orElseThrow();
            assertThat(internal.ipRanges()).isEmpty();
            assertThat(internal.userIdGroupPairs()).extracting(p -> p.groupId()).containsExactly(group.groupId());

            // How the instances were asked for, as the SDK sent it.
            List<Map<String, String>> runs = cloud.moto.requests("RunInstances");
            assertThat(runs).hasSize(1);
            Map<String, String> run = runs.get(0);
            assertThat(run).containsEntry("InstanceType", "c7i.large")
                    .containsEntry("MinCount", "2").containsEntry("MaxCount", "2")
                    .containsEntry("InstanceInitiatedShutdownBehavior", "terminate")
                    .containsEntry("MetadataOptions.HttpTokens", "required")
                    .containsEntry("BlockDeviceMapping.1.Ebs.VolumeType", "gp3")
                    .containsEntry("BlockDeviceMapping.1.Ebs.DeleteOnTermination", "true")
                    .containsEntry("TagSpecification.1.ResourceType", "instance")
                    .containsEntry("TagSpecification.2.ResourceType", "volume")
                    .containsEntry("KeyName", "skyward-" + poolId)
                    .containsKey("ClientToken")
                    .doesNotContainKey("InstanceMarketOptions.MarketType");
            String ubuntu = aws.ssmParameter(Moto.REGION, Aws.UBUNTU_X86);
            assertThat(run).containsEntry("ImageId", ubuntu);
            String id = instances.get(0).id().substring(instances.get(0).id().indexOf('/') + 1);
            assertThat(cloud.moto.ec2().describeInstanceAttribute(b -> b.instanceId(id)
                    .attribute(InstanceAttributeName.INSTANCE_INITIATED_SHUTDOWN_BEHAVIOR))
                    .instanceInitiatedShutdownBehavior().value()).isEqualTo("terminate");
            assertThat(aws.access(instances.get(0)).onExpire()).contains("shutdown");
            assertThat(aws.access(instances.get(0)).spotNotice()).as("on-demand nodes watch for no notice").isNull();
        }
        cloud.assertNothingLeft(poolId);
    }
}
