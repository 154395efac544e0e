package dev.skyward.aws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.KeyPairInfo;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.UserIdGroupPair;

/**
 * What a pool has in a region besides its instances: a security group (SSH from one source, all
 * traffic between the pool's own instances for NCCL) and the imported pool key. Both carry the pool tag
 * and are found by it, so a crashed client's leftovers are found and reused or deleted.
 */
final class PoolResources {

    private static final Logger log = LoggerFactory.getLogger(PoolResources.class);

    private final Ec2Client ec2;
    private final String poolId;
    private final Backoff backoff;

    PoolResources(Ec2Client ec2, String poolId, Backoff backoff) {
        this.ec2 = ec2;
        this.poolId = poolId;
        this.backoff = backoff;
    }

    static String name(String poolId) {
        return "skyward-" + poolId;
    }

    List<Tag> tags(Map<String, String> extra) {
        return tags(poolId, extra);
    }

    /**
     * The pool tag, a Name, and the pool's own tags (its {@link dev.skyward.spi.Ownership}: client id,
     * start, expiry or lease): on every resource of the pool — instances, volumes, the security group,
     * the key pair.
     */
    static List<Tag> tags(String poolId, Map<String, String> extra) {
        List<Tag> tags = new ArrayList<>();
        // The engine's tags include the pool tag itself (Ownership.POOL): EC2 refuses a key given twice.
        extra.forEach((k, v) -> {
            if (!k.equals(Aws.POOL_TAG) && !k.equals("Name")) {
                tags.add(Tag.builder().key(k).value(v).build());
            }
        });
        tags.add(Tag.builder().key(Aws.POOL_TAG).value(poolId).build());
        tags.add(Tag.builder().key("Name").value(name(poolId)).build());
        return tags;
    }

    /** The pool's group in this VPC, created (or, after a crash, found) with its two ingress rules. */
    String securityGroup(String vpcId, String sshSource, Map<String, String> extraTags) {
        String groupId;
        try {
            groupId = ec2.createSecurityGroup(b -> b.groupName(name(poolId)).vpcId(vpcId)
                    .description("Skyward pool " + poolId + ": SSH from " + sshSource + ", all traffic within the pool")
                    .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.SECURITY_GROUP)
                            .tags(tags(extraTags)).build())).groupId();
        } catch (AwsServiceException e) {
            if (!"InvalidGroup.Duplicate".equals(Ec2Errors.code(e))) {
                throw e;
            }
            // A crashed client's group of the same pool: reuse it, its rules are already there.
            SecurityGroup existing = groups(vpcId).stream().findFirst().orElseThrow(() -> e);
            log.debug("pool {}: reusing security group {}", poolId, existing.groupId());
            return existing.groupId();
        }
        String id = groupId;
        ec2.authorizeSecurityGroupIngress(b -> b.groupId(id).ipPermissions(
                IpPermission.builder().ipProtocol("tcp").fromPort(22).toPort(22)
                        .ipRanges(IpRange.builder().cidrIp(sshSource).description("SSH to Skyward nodes").build())
                        .build(),
                IpPermission.builder().ipProtocol("-1")
                        .userIdGroupPairs(UserIdGroupPair.builder().groupId(id)
                                .description("the pool's own nodes (NCCL, rendezvous)").build())
                        .build()));
        log.debug("pool {}: security group {} in {} (SSH from {})", poolId, id, vpcId, sshSource);
        return id;
    }

    /** The pool's groups (in one VPC, or every VPC for {@code null}). */
    List<SecurityGroup> groups(String vpcId) {
        List<Filter> filters = new ArrayList<>();
        filters.add(Filter.builder().name("tag:" + Aws.POOL_TAG).values(poolId).build());
        if (vpcId != null) {
            filters.add(Filter.builder().name("vpc-id").values(vpcId).build());
        }
        return ec2.describeSecurityGroups(b -> b.filters(filters)).securityGroups();
    }

    /** Imports the pool's public key under the pool's name, replacing a crashed client's key of the same pool. */
    String importKey(String publicKey, Map<String, String> extraTags) {
        String keyName = name(poolId);
        for (int attempt = 0; ; attempt++) {
            try {
                ec2.importKeyPair(b -> b.keyName(keyName).publicKeyMaterial(
                                software.amazon.awssdk.core.SdkBytes.fromUtf8String(publicKey))
                        .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.KEY_PAIR)
                                .tags(tags(extraTags)).build()));
                return keyName;
            } catch (AwsServiceException e) {
                if (!"InvalidKeyPair.Duplicate".equals(Ec2Errors.code(e)) || attempt > 0) {
                    throw e;
                }
                ec2.deleteKeyPair(b -> b.keyName(keyName));
            }
        }
    }

    List<KeyPairInfo> keys() {
        String keyName = name(poolId);
        return ec2.describeKeyPairs(b -> { }).keyPairs().stream().filter(k -> keyName.equals(k.keyName())).toList();
    }

    /**
     * Deletes the pool's groups and key, after its instances are terminated. A group stays "in use"
     * (DependencyViolation) for a while after its last instance is gone, so that is waited out.
     */
    void delete(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (SecurityGroup g : groups(null)) {
            for (int attempt = 0; ; attempt++) {
                try {
                    ec2.deleteSecurityGroup(b -> b.groupId(g.groupId()));
                    break;
                } catch (AwsServiceException e) {
                    String code = Ec2Errors.code(e);
                    if ("InvalidGroup.NotFound".equals(code)) {
                        break;
                    }
                    if (!"DependencyViolation".equals(code) || System.nanoTime() > deadline) {
                        throw e;
                    }
                    log.debug("pool {}: security group {} still in use, waiting", poolId, g.groupId());
                    backoff.pause(attempt);
                }
            }
        }
        if (!keys().isEmpty()) {
            ec2.deleteKeyPair(b -> b.keyName(name(poolId)));
        }
    }
}
