package dev.skyward.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.Accelerator;
import dev.skyward.Image;
import dev.skyward.PoolConfigurationException;
import dev.skyward.offer.Catalog;
import dev.skyward.spi.Instance;
import dev.skyward.spi.InstanceStatus;
import dev.skyward.spi.LaunchRequest;
import dev.skyward.spi.Offer;
import dev.skyward.spi.ProviderException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.ec2.model.ResourceType;

/** The provider's calls to EC2 and SSM one by one, against moto with AWS's own misbehaviour added. */
@Timeout(120)
class AwsProviderTest {

    static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHcH1zHl7oTt6Bc5a2V6rN3V4xj1dQwT0cXJj6n2Yq9b skyward-test";

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

    @BeforeEach
    void plainMoto() {
        cloud.moto.clear();
    }

    static Offer offer(String type) {
        return Catalog.load("aws").offers().stream()
                .filter(o -> o.instanceType().equals(type) && o.region().equals(Moto.REGION)).findFirst().orElseThrow();
    }

    static LaunchRequest request(String poolId, String type, int count, boolean spot) {
        return new LaunchRequest(poolId, offer(type), count, spot, Image.DEFAULT, KEY, Map.of("team", "ml"));
    }

    static String pool() {
        return "t" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void throttledRunInstancesIsRetriedWithTheSameClientTokenAndStartsOneSet() throws Exception {
        cloud.moto.failWith("RunInstances", Map.of(), "503 Service Unavailable", "RequestLimitExceeded",
                "Request limit exceeded.", 2);
        String poolId = pool();
        try (Aws aws = cloud.aws().build()) {
            List<Instance> launched = aws.launch(request(poolId, "c7i.large", 2, false));
            assertThat(launched).hasSize(2).extracting(Instance::launchIndex).containsExactlyInAnyOrder(0, 1);
            List<Map<String, String>> runs = cloud.moto.requests("RunInstances");
            assertThat(runs).hasSize(3);
            assertThat(runs).extracting(r -> r.get("ClientToken")).containsOnly(runs.get(0).get("ClientToken"));
            assertThat(cloud.instances(poolId, "pending", "running")).hasSize(2);
            // Every resource carries the pool tag and the caller's tags.
            assertThat(runs.get(2)).containsEntry("TagSpecification.1.Tag.1.Key", "team")
                    .containsValue(poolId);
            aws.terminate(poolId);
        }
        cloud.assertNothingLeft(poolId);
    }

    @Test
    void aRepeatedLaunchThatCannotSeeItsFirstInstancesYetStartsNoSecondSet() throws Exception {
        cloud.moto.invisibleFor(Duration.ofSeconds(3));
        String poolId = pool();
        try (Aws first = cloud.aws().build(); Aws second = cloud.aws().build()) {
            List<Instance> a = first.launch(request(poolId, "c7i.large", 1, false));
            // Another client (a retry after a lost answer) sees no instance of the pool yet...
            assertThat(second.describe(poolId)).isEmpty();
            List<Instance> b = second.launch(request(poolId, "c7i.large", 1, false));
            // ...and its ClientToken gets the same instance, not a second one.
            assertThat(b).extracting(Instance::id).isEqualTo(a.stream().map(Instance::id).toList());
            // Terminating at once finds the instance Describe does not list yet.
            first.terminate(poolId);
        }
        cloud.moto.clear();
        assertThat(cloud.instances(poolId, "pending", "running", "terminated")).singleElement()
                .satisfies(i -> assertThat(i.state().nameAsString()).isEqualTo("terminated"));
        cloud.assertNothingLeft(poolId);
    }

    @Test
    void launchReturnsAtOnceAndDescribeReportsRunningWithTheSshEndpoint() throws Exception {
        String poolId = pool();
        try (Aws aws = cloud.aws().build()) {
            List<Instance> launched = aws.launch(request(poolId, "c7i.large", 1, false));
            assertThat(launched).singleElement().satisfies(i -> {
                assertThat(i.id()).startsWith("us-east-1/i-");
                assertThat(i.poolId()).isEqualTo(poolId);
            });
            Instance running = aws.describe(poolId).get(0);
            assertThat(running.status()).isEqualTo(InstanceStatus.RUNNING);
            assertThat(running.ssh().host()).isEqualTo(running.privateAddress()).startsWith("127.0.5.");
            // The login function maps the address to the endpoint (port 22 and "ubuntu" by default).
            assertThat(running.ssh()).isEqualTo(cloud.hosts.login(running.privateAddress()));
            try (Aws plain = cloud.moto.aws().vpc(cloud.vpcId).privateAddresses().build()) {
                assertThat(plain.describe(poolId).get(0).ssh())
                        .isEqualTo(new dev.skyward.spi.SshEndpoint(running.privateAddress(), 22, "ubuntu"));
            }
            aws.terminate(poolId);
            assertThat(aws.describe(poolId)).isEmpty();
        }
        cloud.assertNothingLeft(poolId);
    }

    @Test
    void aSecurityGroupStillInUseAfterTerminationIsWaitedForThenDeleted() throws Exception {
        cloud.moto.groupsBusyAfterTermination(3);
        String poolId = pool();
        try (Aws aws = cloud.aws().build()) {
            aws.launch(request(poolId, "c7i.large", 1, false));
            aws.terminate(poolId);
        }
        assertThat(cloud.moto.requests("DeleteSecurityGroup")).hasSize(4);
        cloud.assertNothingLeft(poolId);
    }

    @Test
    void aCrashedClientsGroupOfTheSamePoolIsReused() throws Exception {
        String poolId = pool();
        String left = cloud.moto.ec2().createSecurityGroup(b -> b.groupName("skyward-" + poolId).description("left")
                .vpcId(cloud.vpcId).tagSpecifications(t -> t.resourceType(ResourceType.SECURITY_GROUP)
                        .tags(g -> g.key(Aws.POOL_TAG).value(poolId)))).groupId();
        try (Aws aws = cloud.aws().build()) {
            aws.launch(request(poolId, "c7i.large", 1, false));
            assertThat(cloud.moto.requests("RunInstances")).singleElement()
                    .satisfies(r -> assertThat(r).containsEntry("SecurityGroupId.1", left));
            aws.terminate(poolId);
        }
        cloud.assertNothingLeft(poolId);
    }

    @Test
    void gpuTypesBootTheDeepLearningAmiAndCpuTypesUbuntuBothFromSsmPublicParameters() throws Exception {
        String poolId = pool();
        try (Aws aws = cloud.aws().sshSource("203.0.113.7/32").build()) {
            aws.launch(request(poolId, "g4dn.xlarge", 1, true));
            Map<String, String> run = cloud.moto.requests("RunInstances").get(0);
            assertThat(run).containsEntry("ImageId", aws.ssmParameter(Moto.REGION, Aws.DLAMI_X86))
                    .containsEntry("BlockDeviceMapping.1.Ebs.VolumeSize", "200");
            assertThat(aws.ssmParameter(Moto.REGION, Aws.DLAMI_X86))
                    .isNotEqualTo(aws.ssmParameter(Moto.REGION, Aws.UBUNTU_X86));
            // An explicit SSH source is the only one opened.
            assertThat(cloud.moto.ec2().describeSecurityGroups(b -> b.filters(f -> f.name("tag:" + Aws.POOL_TAG)
                    .values(poolId))).securityGroups().get(0).ipPermissions())
                    .filteredOn(p -> "tcp".equals(p.ipProtocol())).singleElement()
                    .satisfies(p -> assertThat(p.ipRanges()).extracting(r -> r.cidrIp()).containsExactly("203.0.113.7/32"));
            aws.terminate(poolId);
        }
        cloud.assertNothingLeft(poolId);
    }

    @Test
    void withoutAVpcTheDefaultVpcsSubnetsAreUsedAndSshIsOpenedToThisMachineOrToAllWithAWarning() throws Exception {
        String poolId = pool();
        String defaultVpc = cloud.moto.ec2().describeVpcs(b -> b.filters(f -> f.name("is-default").values("true")))
                .vpcs().get(0).vpcId();
        try (Aws aws = cloud.moto.aws().build()) {
            aws.launch(request(poolId, "c7i.large", 1, false));
            String subnet = cloud.moto.requests("RunInstances").get(0).get("SubnetId");
            assertThat(cloud.moto.ec2().describeSubnets(b -> b.subnetIds(subnet)).subnets().get(0).vpcId())
                    .isEqualTo(defaultVpc);
            var group = cloud.moto.ec2().describeSecurityGroups(b -> b.filters(f -> f.name("tag:" + Aws.POOL_TAG)
                    .values(poolId))).securityGroups().get(0);
            assertThat(group.vpcId()).isEqualTo(defaultVpc);
            String expected = ClientAddress.publicCidr().orElse("0.0.0.0/0");
            assertThat(group.ipPermissions()).filteredOn(p -> "tcp".equals(p.ipProtocol())).singleElement()
                    .satisfies(p -> assertThat(p.ipRanges()).extracting(r -> r.cidrIp()).containsExactly(expected));
            aws.terminate(poolId);
        }
        cloud.assertNothingLeft(poolId);
    }

    @Test
    void liveAvailabilityComesFromTheZonesOfferingEachType() {
        Offer c7i = offer("c7i.large");
        Offer nowhere = new Offer("aws", "c7i.large", Accelerator.NONE, 2, 4, Moto.REGION, "us-east-1z", 0.1,
                Double.NaN, "x86_64");
        try (Aws aws = cloud.aws().build()) {
            Map<Offer, Boolean> live = aws.capacity(List.of(c7i, nowhere), false);
            assertThat(live).containsEntry(c7i, true).containsEntry(nowhere, false);
        }
        assertThat(cloud.moto.requests("DescribeInstanceTypeOfferings")).singleElement()
                .satisfies(r -> assertThat(r).containsEntry("LocationType", "availability-zone")
                        .containsEntry("Filter.1.Name", "instance-type"));
    }

    @Test
    void badSettingsFailEarlyWithWhatToWrite() {
        assertThatThrownBy(() -> Aws.builder().sshSource("my laptop")).isInstanceOf(PoolConfigurationException.class)
                .hasMessageContaining("203.0.113.7/32");
        assertThatThrownBy(() -> Aws.builder().region("us-east")).isInstanceOf(PoolConfigurationException.class)
                .hasMessageContaining("us-east-1");
        assertThatThrownBy(() -> Aws.builder().diskGiB(2)).isInstanceOf(PoolConfigurationException.class);
        try (Aws aws = cloud.aws().build()) {
            assertThatThrownBy(() -> aws.launch(new LaunchRequest("p", offer("c7i.large"), 1, false, Image.DEFAULT,
                    null, Map.of()))).isInstanceOf(ProviderException.class).hasMessageContaining("SSH key");
            assertThat(aws.check().ok()).isTrue();
        }
    }
}
