package dev.skyward.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.Image;
import dev.skyward.guard.ClientId;
import dev.skyward.spi.LaunchRequest;
import dev.skyward.spi.OwnedInstance;
import dev.skyward.spi.Ownership;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * The leak guard on AWS: every resource a pool creates (instances, their volumes, the key pair, the
 * security group) carries the pool id, the client id and the expiry or lease as tags, and
 * {@link Aws#ownedInstances()} finds the instances of every pool by tag, with who made them.
 */
@Timeout(180)
class AwsOwnershipTest {

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
    void everyResourceCarriesItsOwnershipAndTheListingFindsEveryPool() throws Exception {
        String lifetime = AwsProviderTest.pool();
        String leased = AwsProviderTest.pool();
        Instant now = Instant.now();
        Ownership withEnd = new Ownership(lifetime, ClientId.current(), now, now.plus(Duration.ofHours(2)),
                Duration.ofSeconds(60));
        Ownership withLease = new Ownership(leased, ClientId.current(), now, null, Duration.ofSeconds(30));
        try (Aws aws = cloud.aws().build()) {
            aws.launch(new LaunchRequest(lifetime, AwsProviderTest.offer("c7i.large"), 2, false, Image.DEFAULT,
                    AwsProviderTest.KEY, withEnd.toTags()));
            aws.launch(new LaunchRequest(leased, AwsProviderTest.offer("c7i.large"), 1, true, Image.DEFAULT,
                    AwsProviderTest.KEY, withLease.toTags()));

            var ec2 = cloud.moto.ec2();
            for (var i : cloud.instances(lifetime, "pending", "running")) {
                assertThat(tags(i.tags())).containsAllEntriesOf(withEnd.toTags());
            }
            var volumes = ec2.describeVolumes(b -> b.filters(Filter.builder().name("tag:" + Aws.POOL_TAG)
                    .values(lifetime).build())).volumes();
            assertThat(volumes).isNotEmpty().allSatisfy(v -> assertThat(tags(v.tags()))
                    .containsAllEntriesOf(withEnd.toTags()));
            var groups = ec2.describeSecurityGroups(b -> b.filters(Filter.builder().name("tag:" + Aws.POOL_TAG)
                    .values(leased).build())).securityGroups();
            assertThat(groups).singleElement().satisfies(g -> assertThat(tags(g.tags()))
                    .containsAllEntriesOf(withLease.toTags()).doesNotContainKey(Ownership.EXPIRES));
            var keys = ec2.describeKeyPairs(b -> { }).keyPairs().stream()
                    .filter(k -> k.keyName().equals("skyward-" + leased)).toList();
            assertThat(keys).singleElement().satisfies(k -> assertThat(tags(k.tags()))
                    .containsEntry(Ownership.CLIENT, ClientId.current()));

            List<OwnedInstance> owned = aws.ownedInstances();
            Map<String, List<OwnedInstance>> byPool = owned.stream()
                    .collect(Collectors.groupingBy(OwnedInstance::poolId));
            assertThat(byPool.get(lifetime)).hasSize(2).allSatisfy(o -> {
                assertThat(o.ownership()).isEqualTo(withEnd);
                assertThat(o.instanceType()).isEqualTo("c7i.large");
                assertThat(o.region()).isEqualTo(Moto.REGION);
                assertThat(o.hourlyPrice()).isEqualTo(AwsProviderTest.offer("c7i.large").onDemandPrice());
                assertThat(o.launched()).isNotNull();
            });
            assertThat(byPool.get(leased)).singleElement().satisfies(o -> {
                assertThat(o.ownership()).isEqualTo(withLease);
                assertThat(o.hourlyPrice()).as("spot, at the catalog's spot price")
                        .isEqualTo(AwsProviderTest.offer("c7i.large").spotPrice());
            });

            aws.terminate(lifetime);
            aws.terminate(leased);
            assertThat(aws.ownedInstances()).noneMatch(o -> o.poolId().equals(lifetime) || o.poolId().equals(leased));
        }
        cloud.assertNothingLeft(lifetime);
        cloud.assertNothingLeft(leased);
    }

    private static Map<String, String> tags(List<Tag> tags) {
        return tags.stream().collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> a));
    }
}
