package dev.skyward.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.Allocation;
import dev.skyward.ComputePool;
import dev.skyward.PoolEvent;
import dev.skyward.ProvisioningException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Pools on EC2 when AWS says no: capacity, quota, credentials, and the spot market. */
@Timeout(180)
class AwsFailoverTest {

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

    @Test
    void noCapacityInTheFirstZoneMovesToTheNextLeavingNothingFromTheFirstTry() throws Exception {
        cloud.moto.failWith("RunInstances", Map.of("SubnetId", cloud.subnetA), "500 Internal Server Error",
                "InsufficientInstanceCapacity", "We currently do not have sufficient c7i.large capacity in the "
                        + "Availability Zone you requested (us-east-1a). You can get c7i.large capacity by not "
                        + "specifying an Availability Zone or choosing us-east-1b.", 0);
        String poolId;
        try (Aws aws = cloud.aws().build();
                ComputePool pool = ComputePool.builder().console(false).provider(aws).maxHourlyPrice(0.1).build()) {
            poolId = pool.id();
            int world = pool.run(ctx -> ctx.worldSize());
            assertThat(world).isEqualTo(1);
            var instances = cloud.instances(poolId, "running");
            assertThat(instances).singleElement().satisfies(i -> {
                assertThat(i.placement().availabilityZone()).isEqualTo("us-east-1b");
                assertThat(i.subnetId()).isEqualTo(cloud.subnetB);
            });
        }
        // One refused call in a, not retried by the SDK (retries are off for RunInstances), then b.
        assertThat(cloud.moto.requests("RunInstances")).extracting(r -> r.get("SubnetId"))
                .containsExactly(cloud.subnetA, cloud.subnetB);
        assertThat(cloud.instances(poolId, "pending", "running", "shutting-down", "terminated", "stopped"))
                .as("every instance the pool ever had").noneMatch(i -> cloud.subnetA.equals(i.subnetId()));
        cloud.assertNothingLeft(poolId);
    }

    @Test
    void aVcpuQuotaFailsThePoolWithWhatToDoAndLeavesNothing() throws Exception {
        cloud.moto.failWith("RunInstances", Map.of(), "400 Bad Request", "VcpuLimitExceeded",
                "You have requested more vCPU capacity than your current vCPU limit of 0 allows for the instance "
                        + "bucket that the specified instance type belongs to.", 0);
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        try (Aws aws = cloud.aws().build()) {
            assertThatThrownBy(() -> ComputePool.builder().console(false).provider(aws).maxHourlyPrice(0.1)
                    .listener(events::add).build())
                    .isInstanceOf(ProvisioningException.class)
                    .hasMessageContaining("VcpuLimitExceeded")
                    .hasMessageContaining("Service Quotas");
        }
        // A quota is the region's: one offer tried, not every offer of us-east-1.
        assertThat(cloud.moto.requests("RunInstances")).hasSize(1);
        cloud.assertNothingLeft(events.get(0).poolId());
    }

    @Test
    void credentialsAwsRejectsFailThePoolAtTheFirstCallWithNothingCreated() throws Exception {
        cloud.moto.rejectKey("AKIAREVOKEDKEY000001");
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        try (Aws aws = cloud.aws().credentials(StaticCredentialsProvider.create(
                AwsBasicCredentials.create("AKIAREVOKEDKEY000001", "wrong"))).build()) {
            assertThatThrownBy(() -> ComputePool.builder().console(false).provider(aws).maxHourlyPrice(0.1)
                    .listener(events::add).build())
                    .isInstanceOf(ProvisioningException.class)
                    .hasMessageContaining("AuthFailure")
                    .hasMessageContaining("skyward check");
        }
        assertThat(cloud.moto.requests("CreateSecurityGroup")).isEmpty();
        assertThat(cloud.moto.requests("RunInstances")).isEmpty();
        cloud.assertNothingLeft(events.get(0).poolId());
    }

    @Test
    void spotAllocationAsksForOneTimeSpotInstancesThatTerminateOnInterruption() throws Exception {
        String poolId;
        try (Aws aws = cloud.aws().build();
                ComputePool pool = ComputePool.builder().console(false).provider(aws).allocation(Allocation.SPOT)
                        .maxHourlyPrice(0.05).build()) {
            poolId = pool.id();
            int rank = pool.run(ctx -> ctx.rank());
            assertThat(rank).isZero();
            assertThat(cloud.instances(poolId, "running")).singleElement()
                    .satisfies(i -> assertThat(i.instanceLifecycleAsString()).isEqualTo("spot"));
        }
        assertThat(cloud.moto.requests("RunInstances")).singleElement().satisfies(r -> assertThat(r)
                .containsEntry("InstanceMarketOptions.MarketType", "spot")
                .containsEntry("InstanceMarketOptions.SpotOptions.SpotInstanceType", "one-time")
                .containsEntry("InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior", "terminate")
                .containsEntry("InstanceType", "c7i.large"));
        cloud.assertNothingLeft(poolId);
    }

    @Test
    void spotIfAvailableFallsBackToOnDemandWhenNoSpotCapacityIsLeft() throws Exception {
        cloud.moto.failWith("RunInstances", Map.of("InstanceMarketOptions.MarketType", "spot"),
                "500 Internal Server Error", "InsufficientInstanceCapacity",
                "There is no Spot capacity available that matches your request.", 0);
        String poolId;
        try (Aws aws = cloud.aws().build();
                ComputePool pool = ComputePool.builder().console(false).provider(aws)
                        .allocation(Allocation.SPOT_IF_AVAILABLE).maxHourlyPrice(0.1).build()) {
            poolId = pool.id();
            int world = pool.run(ctx -> ctx.worldSize());
            assertThat(world).isEqualTo(1);
            assertThat(cloud.instances(poolId, "running")).singleElement()
                    .satisfies(i -> assertThat(i.instanceLifecycle()).isNull());
        }
        List<Map<String, String>> runs = cloud.moto.requests("RunInstances");
        assertThat(runs.get(0)).containsEntry("InstanceMarketOptions.MarketType", "spot");
        assertThat(runs.get(runs.size() - 1)).doesNotContainKey("InstanceMarketOptions.MarketType")
                .containsEntry("InstanceType", "c7i.large");
        assertThat(runs.subList(0, runs.size() - 1)).allMatch(r -> "spot".equals(r.get("InstanceMarketOptions.MarketType")));
        cloud.assertNothingLeft(poolId);
    }
}
