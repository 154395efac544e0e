package dev.skyward.aws;

import dev.skyward.Accelerator;
import dev.skyward.PoolConfigurationException;
import dev.skyward.offer.Catalog;
import dev.skyward.spi.Instance;
import dev.skyward.spi.InstanceStatus;
import dev.skyward.spi.LaunchRequest;
import dev.skyward.spi.LiveCapacity;
import dev.skyward.spi.NodeAccess;
import dev.skyward.spi.Offer;
import dev.skyward.spi.OfferQuery;
import dev.skyward.spi.OwnedInstance;
import dev.skyward.spi.Ownership;
import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderCheck;
import dev.skyward.spi.ProviderException;
import dev.skyward.spi.ProviderException.Kind;
import dev.skyward.spi.SshEndpoint;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.InstanceInterruptionBehavior;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycleType;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataEndpointState;
import software.amazon.awssdk.services.ec2.model.LocationType;
import software.amazon.awssdk.services.ec2.model.MarketType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.ShutdownBehavior;
import software.amazon.awssdk.services.ec2.model.SpotInstanceType;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.VolumeType;
import software.amazon.awssdk.services.ec2.model.Vpc;

/**
 * EC2 instances for a pool, with the credentials and region AWS users already have (the SDK's default
 * chains: environment, {@code ~/.aws} profiles, SSO, instance role).
 *
 * <pre>{@code
 * try (ComputePool pool = ComputePool.builder()
 *         .provider(Aws.builder().region("us-east-1").build())
 *         .accelerator("H100:8").allocation(Allocation.SPOT_IF_AVAILABLE).build()) {
 *     pool.broadcast(ctx -> train(ctx));
 * }
 * }</pre>
 *
 * <p>Per pool and region it creates a security group (SSH from {@link Builder#sshSource one source},
 * all traffic between the pool's own instances), imports the pool's ephemeral key, and runs the
 * instances with the pool tag, {@code InstanceInitiatedShutdownBehavior=terminate}, IMDSv2 required
 * and a gp3 root volume deleted on termination; closing the pool terminates them, waits until they are
 * terminated and deletes the group and the key. A node whose client stopped heart-beating shuts itself
 * down, which terminates the instance. The agent of a spot instance watches the instance metadata
 * service for the spot interruption notice; when it comes, the pool sends no new work there
 * ({@link dev.skyward.PoolEvent.NodePreempting}).
 */
public final class Aws implements Provider, LiveCapacity, AutoCloseable {

    /** The provider's name in catalogs and messages. */
    public static final String NAME = "aws";
    /** The tag every resource of a pool carries, with the pool id as value. */
    public static final String POOL_TAG = "skyward-pool";
    static final String INDEX_TAG = "skyward-first-index";
    /** The instance metadata service, as every EC2 instance reaches it. */
    static final URI DEFAULT_METADATA_ENDPOINT = URI.create("http://169.254.169.254");

    /** SSM public parameters naming the current AMIs (PROVIDER-APIS.md). */
    static final String DLAMI_X86 = "/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id";
    static final String DLAMI_ARM = "/aws/service/deeplearning/ami/arm64/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id";
    static final String UBUNTU_X86 = "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id";
    static final String UBUNTU_ARM = "/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id";

    private static final Logger log = LoggerFactory.getLogger(Aws.class);

    private final List<String> regions;
    private final AwsCredentialSource credentialSource;
    private final boolean explicitCredentials;
    private final AwsClients clients;
    private final String sshSource;
    private final String vpcId;
    private final List<String> subnetIds;
    private final boolean privateAddresses;
    private final Function<String, SshEndpoint> login;
    private final String onExpire;
    private final String ami;
    private final int diskGiB;
    private final Backoff backoff;
    private final Duration terminateTimeout;
    /** What this provider launched per pool, so a pool is found before Describe shows it (eventual consistency). */
    private final Map<String, Map<String, Launched>> launched = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> poolRegions = new ConcurrentHashMap<>();
    /** Per pool, the spot instances ("region/i-..."): their agents watch for the interruption notice. */
    private final Map<String, Set<String>> spotInstances = new ConcurrentHashMap<>();
    private final Function<String, URI> metadataEndpoint;

    private record Launched(String region, String instanceId, int launchIndex) {
    }

    /** The provider configured from the environment: the default credential chain, the region chain's region. */
    public Aws() {
        this(builder());
    }

    private Aws(Builder b) {
        this.credentialSource = AwsCredentialSource.system(b.profile);
        this.explicitCredentials = b.credentials != null;
        this.regions = !b.regions.isEmpty() ? List.copyOf(b.regions)
                : credentialSource.region().map(List::of).orElse(List.of());
        this.clients = new AwsClients(b.credentials, b.profile, b.endpoint);
        this.sshSource = b.sshSource;
        this.vpcId = b.vpcId;
        this.subnetIds = List.copyOf(b.subnetIds);
        this.privateAddresses = b.privateAddresses;
        this.login = b.login;
        this.onExpire = b.onExpire;
        this.ami = b.ami;
        this.diskGiB = b.diskGiB;
        this.backoff = b.backoff;
        this.terminateTimeout = b.terminateTimeout;
        this.metadataEndpoint = b.metadataEndpoint;
    }

    /** Starts a builder; every setting is optional. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderCheck check() {
        if (explicitCredentials) {
            return ProviderCheck.ok(NAME, "the credentials provider given to Aws.builder()");
        }
        return credentialSource.check();
    }

    // ---- offers ----

    @Override
    public List<Offer> offers(OfferQuery query) {
        List<Offer> all = Catalog.load(NAME).offers();
        if (regions.isEmpty()) {
            return all;
        }
        return all.stream().filter(o -> regions.contains(o.region()))
                .sorted(Comparator.comparingInt(o -> regions.indexOf(o.region()))).toList();
    }

    @Override
    public Map<Offer, Boolean> capacity(List<Offer> offers, boolean spot) {
        Map<Offer, Boolean> answer = new LinkedHashMap<>();
        Map<String, List<Offer>> byRegion = new LinkedHashMap<>();
        offers.forEach(o -> byRegion.computeIfAbsent(o.region(), r -> new ArrayList<>()).add(o));
        byRegion.forEach((region, list) -> {
            Set<String> types = new LinkedHashSet<>();
            list.forEach(o -> types.add(o.instanceType()));
            Map<String, Set<String>> zonesByType = new HashMap<>();
            try {
                clients.in(region).ec2().describeInstanceTypeOfferingsPaginator(b -> b
                                .locationType(LocationType.AVAILABILITY_ZONE)
                                .filters(Filter.builder().name("instance-type").values(types).build()))
                        .instanceTypeOfferings().forEach(o -> zonesByType
                                .computeIfAbsent(o.instanceTypeAsString(), t -> new LinkedHashSet<>()).add(o.location()));
            } catch (SdkException e) {
                throw Ec2Errors.classify("DescribeInstanceTypeOfferings in " + region, e);
            }
            for (Offer o : list) {
                Set<String> zones = zonesByType.getOrDefault(o.instanceType(), Set.of());
                answer.put(o, o.zone().isEmpty() ? !zones.isEmpty() : zones.contains(o.zone()));
            }
        });
        return answer;
    }

    // ---- launch ----

    @Override
    public List<Instance> launch(LaunchRequest request) {
        Offer offer = request.offer();
        if (!NAME.equals(offer.provider())) {
            throw new ProviderException(Kind.FATAL, "offer " + offer + " is not an AWS offer");
        }
        if (request.sshPublicKey() == null) {
            throw new ProviderException(Kind.FATAL, "AWS instances need the pool's SSH key; none was given");
        }
        String region = offer.region();
        String poolId = request.poolId();
        poolRegions.computeIfAbsent(poolId, p -> ConcurrentHashMap.newKeySet()).add(region);
        Ec2Client ec2 = clients.in(region).ec2();

        List<Instance> existing = describe(poolId).stream().filter(i -> region(i).equals(region)).toList();
        // The missing launch indices, in runs of consecutive ones: after a terminated instance, exactly its index.
        List<int[]> runs = missingRuns(existing, request.count());
        if (runs.isEmpty()) {
            return existing;
        }
        List<Subnet> subnets;
        String groupId;
        String keyName;
        String imageId;
        Image image;
        try {
            subnets = subnets(ec2, region, offer.zone());
            String vpc = subnets.get(0).vpcId();
            PoolResources resources = new PoolResources(ec2, poolId, backoff);
            groupId = resources.securityGroup(vpc, sshSource(ec2, vpc), request.tags());
            keyName = resources.importKey(request.sshPublicKey(), request.tags());
            imageId = ami != null ? ami : amiFor(region, offer);
            image = ec2.describeImages(b -> b.imageIds(imageId)).images().stream().findFirst()
                    .orElseThrow(() -> new ProviderException(Kind.FATAL, "AMI " + imageId + " not found in " + region));
        } catch (SdkException e) {
            throw Ec2Errors.classify("preparing pool " + poolId + " in " + region, e);
        }
        List<Instance> result = new ArrayList<>(existing);
        for (int[] run : runs) {
            result.addAll(runInZones(request, run[0], run[1], subnets, groupId, keyName, image));
        }
        return result;
    }

    /** Index runs {first, count} in 0..count-1 that no existing instance has. */
    private static List<int[]> missingRuns(List<Instance> existing, int count) {
        Set<Integer> have = new java.util.HashSet<>();
        existing.forEach(i -> have.add(i.launchIndex()));
        List<int[]> runs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (have.contains(i)) {
                continue;
            }
            int[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (last != null && last[0] + last[1] == i) {
                last[1]++;
            } else {
                runs.add(new int[] {i, 1});
            }
        }
        return runs;
    }

    /** One run of consecutive launch indices, in the first zone with capacity. */
    private List<Instance> runInZones(LaunchRequest request, int firstIndex, int missing, List<Subnet> subnets,
            String groupId, String keyName, Image image) {
        Offer offer = request.offer();
        String region = offer.region();
        String poolId = request.poolId();
        List<String> capacityFailures = new ArrayList<>();
        for (Subnet subnet : subnets) {
            RunInstancesRequest run = runRequest(request, missing, firstIndex, subnet, groupId, keyName, image);
            List<software.amazon.awssdk.services.ec2.model.Instance> made = runInstances(run, region, subnet,
                    capacityFailures);
            if (made == null) {
                continue;
            }
            List<Instance> result = new ArrayList<>();
            Map<String, Launched> mine = launched.computeIfAbsent(poolId, p -> new ConcurrentHashMap<>());
            for (var i : made) {
                int index = firstIndex + (i.amiLaunchIndex() != null ? i.amiLaunchIndex() : made.indexOf(i));
                mine.put(i.instanceId(), new Launched(region, i.instanceId(), index));
                if (request.spot()) {
                    spot(poolId).add(region + "/" + i.instanceId());
                }
                result.add(toInstance(poolId, region, i, index));
            }
            log.debug("pool {}: {} x {} requested in {}", poolId, made.size(), offer.instanceType(),
                    subnet.availabilityZone());
            return result;
        }
        throw new ProviderException(Kind.CAPACITY, "AWS has no capacity for " + missing + " x " + offer.instanceType()
                + (request.spot() ? " (spot)" : "") + " in any zone tried in " + region + ": "
                + String.join("; ", capacityFailures));
    }

    /** One zone's RunInstances with the provider's own retry loop; {@code null} when the zone has no capacity. */
    private List<software.amazon.awssdk.services.ec2.model.Instance> runInstances(RunInstancesRequest run,
            String region, Subnet subnet, List<String> capacityFailures) {
        String what = "RunInstances " + run.instanceTypeAsString() + " in " + subnet.availabilityZone();
        Ec2Client client = clients.in(region).runInstances();
        for (int attempt = 0; ; attempt++) {
            try {
                return client.runInstances(run).instances();
            } catch (SdkException e) {
                if (Ec2Errors.throttled(e) && attempt < 6) {
                    log.debug("{}: throttled ({}), retrying", what, e.getMessage());
                    backoff.pause(attempt);
                    continue;
                }
                if (Ec2Errors.capacity(e)) {
                    AwsServiceException s = (AwsServiceException) e;
                    capacityFailures.add(subnet.availabilityZone() + ": " + Ec2Errors.code(s) + " "
                            + Ec2Errors.message(s));
                    log.debug("{}: {}; trying the next zone", what, Ec2Errors.code(s));
                    return null;
                }
                throw Ec2Errors.classify(what, e);
            }
        }
    }

    private RunInstancesRequest runRequest(LaunchRequest request, int count, int firstIndex, Subnet subnet,
            String groupId, String keyName, Image image) {
        Offer offer = request.offer();
        List<Tag> tags = new ArrayList<>(PoolResources.tags(request.poolId(), request.tags()));
        tags.add(Tag.builder().key(INDEX_TAG).value(Integer.toString(firstIndex)).build());
        int disk = Math.max(diskGiB > 0 ? diskGiB : offer.accelerator().equals(Accelerator.NONE) ? 30 : 200,
                snapshotGiB(image));
        RunInstancesRequest.Builder b = RunInstancesRequest.builder()
                .imageId(image.imageId())
                .instanceType(offer.instanceType())
                .minCount(count).maxCount(count)
                .subnetId(subnet.subnetId())
                .securityGroupIds(groupId)
                .keyName(keyName)
                .instanceInitiatedShutdownBehavior(ShutdownBehavior.TERMINATE)
                .metadataOptions(m -> m.httpTokens(HttpTokensState.REQUIRED)
                        .httpEndpoint(InstanceMetadataEndpointState.ENABLED))
                .blockDeviceMappings(BlockDeviceMapping.builder()
                        .deviceName(image.rootDeviceName() != null ? image.rootDeviceName() : "/dev/sda1")
                        .ebs(e -> e.volumeSize(disk).volumeType(VolumeType.GP3).deleteOnTermination(true)).build())
                .tagSpecifications(
                        TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(tags).build(),
                        TagSpecification.builder().resourceType(ResourceType.VOLUME).tags(tags).build())
                .clientToken(clientToken(request, count, firstIndex, subnet));
        if (request.spot()) {
            b.instanceMarketOptions(m -> m.marketType(MarketType.SPOT).spotOptions(s -> s
                    .spotInstanceType(SpotInstanceType.ONE_TIME)
                    .instanceInterruptionBehavior(InstanceInterruptionBehavior.TERMINATE)));
        }
        return b.build();
    }

    private static int snapshotGiB(Image image) {
        return image.blockDeviceMappings().stream()
                .filter(m -> m.ebs() != null && m.ebs().volumeSize() != null
                        && Objects.equals(m.deviceName(), image.rootDeviceName()))
                .mapToInt(m -> m.ebs().volumeSize()).max().orElse(0);
    }

    /** The same request sent again (a timeout, a throttle) must not start a second set of machines. */
    private static String clientToken(LaunchRequest request, int count, int firstIndex, Subnet subnet) {
        String key = request.poolId() + "|" + firstIndex + "|" + count + "|" + request.offer().instanceType() + "|"
                + subnet.subnetId() + "|" + request.spot();
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String amiFor(String region, Offer offer) {
        boolean gpu = !offer.accelerator().equals(Accelerator.NONE);
        boolean arm = offer.arch().startsWith("arm") || offer.arch().equals("aarch64");
        return ssmParameter(region, gpu ? (arm ? DLAMI_ARM : DLAMI_X86) : (arm ? UBUNTU_ARM : UBUNTU_X86));
    }

    /** An SSM parameter's value, such as the AMI id a public parameter names. */
    String ssmParameter(String region, String name) {
        return clients.in(region).ssm().getParameter(b -> b.name(name)).parameter().value();
    }

    /** The subnets to try, one per zone, in zone order. */
    private List<Subnet> subnets(Ec2Client ec2, String region, String zone) {
        List<Subnet> found;
        if (!subnetIds.isEmpty()) {
            found = ec2.describeSubnets(b -> b.subnetIds(subnetIds)).subnets();
        } else {
            String vpc = vpcId;
            if (vpc == null) {
                vpc = ec2.describeVpcs(b -> b.filters(Filter.builder().name("is-default").values("true").build()))
                        .vpcs().stream().findFirst().map(Vpc::vpcId).orElseThrow(() -> new ProviderException(Kind.FATAL,
                                "the AWS account has no default VPC in " + region
                                        + "; name one with Aws.builder().vpc(\"vpc-...\") or .subnets(\"subnet-...\")"));
            }
            String v = vpc;
            found = ec2.describeSubnets(b -> b.filters(Filter.builder().name("vpc-id").values(v).build())).subnets();
        }
        Map<String, Subnet> byZone = new LinkedHashMap<>();
        found.stream().sorted(Comparator.comparing(Subnet::availabilityZone))
                .filter(s -> zone.isEmpty() || zone.equals(s.availabilityZone()))
                .forEach(s -> byZone.putIfAbsent(s.availabilityZone(), s));
        if (byZone.isEmpty()) {
            throw new ProviderException(Kind.CAPACITY, "no subnet " + (zone.isEmpty() ? "" : "in " + zone + " ")
                    + "to launch into in " + region);
        }
        return List.copyOf(byZone.values());
    }

    private String sshSource(Ec2Client ec2, String vpc) {
        if (sshSource != null) {
            return sshSource;
        }
        if (privateAddresses) {
            // Clients inside the VPC (or on a VPN into it) come from the VPC's own range.
            return ec2.describeVpcs(b -> b.vpcIds(vpc)).vpcs().get(0).cidrBlock();
        }
        return ClientAddress.publicCidr().orElseGet(() -> {
            log.warn("AWS: this machine's public address cannot be known without asking a server, so the pool's "
                    + "security group allows SSH from anywhere (0.0.0.0/0; logins need the pool's own key). "
                    + "Set Aws.builder().sshSource(\"<your address>/32\") to narrow it.");
            return "0.0.0.0/0";
        });
    }

    // ---- describe ----

    @Override
    public List<Instance> describe(String poolId) {
        List<Instance> result = new ArrayList<>();
        for (String region : regionsOf(poolId)) {
            Map<String, Launched> mine = launched.getOrDefault(poolId, Map.of());
            try {
                clients.in(region).ec2().describeInstancesPaginator(b -> b.filters(
                                Filter.builder().name("tag:" + POOL_TAG).values(poolId).build(),
                                Filter.builder().name("instance-state-name")
                                        .values("pending", "running", "shutting-down", "stopping", "stopped").build()))
                        .reservations().forEach(r -> r.instances().forEach(i -> {
                            Launched l = mine.get(i.instanceId());
                            int index = l != null ? l.launchIndex() : indexOf(i);
                            result.add(toInstance(poolId, region, i, index));
                        }));
            } catch (SdkException e) {
                throw Ec2Errors.classify("DescribeInstances in " + region, e);
            }
        }
        result.sort(Comparator.comparingInt(Instance::launchIndex));
        return result;
    }

    /**
     * Every instance carrying the pool tag in the provider's regions (the builder's, else every region of
     * the catalog), whatever its pool or client: one DescribeInstances by tag key per region. Ownership
     * comes from the tags every pool's resources carry ({@link Ownership#toTags()}); the price from the
     * catalog, spot or on-demand as the instance runs.
     */
    @Override
    public List<OwnedInstance> ownedInstances() {
        Catalog catalog = Catalog.load(NAME);
        Set<String> searched = new LinkedHashSet<>(regions);
        if (searched.isEmpty()) {
            catalog.offers().forEach(o -> searched.add(o.region()));
        }
        List<OwnedInstance> out = new ArrayList<>();
        for (String region : searched) {
            try {
                clients.in(region).ec2().describeInstancesPaginator(b -> b.filters(
                                Filter.builder().name("tag-key").values(POOL_TAG).build(),
                                Filter.builder().name("instance-state-name")
                                        .values("pending", "running", "shutting-down", "stopping", "stopped").build()))
                        .reservations().forEach(r -> r.instances().forEach(i -> out.add(owned(region, i, catalog))));
            } catch (SdkException e) {
                throw Ec2Errors.classify("DescribeInstances (every Skyward instance) in " + region, e);
            }
        }
        return out;
    }

    private OwnedInstance owned(String region, software.amazon.awssdk.services.ec2.model.Instance i, Catalog catalog) {
        Map<String, String> tags = new HashMap<>();
        i.tags().forEach(t -> tags.put(t.key(), t.value()));
        String poolId = tags.get(POOL_TAG);
        Launched l = launched.getOrDefault(poolId, Map.of()).get(i.instanceId());
        // No login is resolved for a listing: nobody connects, and a custom login may wait for its host.
        Instance instance = toInstance(poolId, region, i, l != null ? l.launchIndex() : indexOf(i), address -> null);
        boolean spot = "spot".equals(i.instanceLifecycleAsString());
        return new OwnedInstance(instance, Ownership.fromTags(tags).orElse(null), i.launchTime(),
                i.instanceTypeAsString(), region, catalog.price(i.instanceTypeAsString(), region, spot));
    }

    private static int indexOf(software.amazon.awssdk.services.ec2.model.Instance i) {
        int first = i.tags().stream().filter(t -> INDEX_TAG.equals(t.key())).findFirst()
                .map(t -> Integer.parseInt(t.value())).orElse(0);
        return first + (i.amiLaunchIndex() != null ? i.amiLaunchIndex() : 0);
    }

    private Set<String> regionsOf(String poolId) {
        Set<String> known = poolRegions.get(poolId);
        if (known != null && !known.isEmpty()) {
            return known;
        }
        if (!regions.isEmpty()) {
            return new LinkedHashSet<>(regions);
        }
        Set<String> all = new LinkedHashSet<>();
        Catalog.load(NAME).offers().forEach(o -> all.add(o.region()));
        return all;
    }

    private static String region(Instance i) {
        return i.id().substring(0, i.id().indexOf('/'));
    }

    private Instance toInstance(String poolId, String region,
            software.amazon.awssdk.services.ec2.model.Instance i, int index) {
        return toInstance(poolId, region, i, index, login);
    }

    private Instance toInstance(String poolId, String region,
            software.amazon.awssdk.services.ec2.model.Instance i, int index, Function<String, SshEndpoint> login) {
        String state = i.state() != null ? i.state().nameAsString() : "pending";
        String address = privateAddresses ? i.privateIpAddress() : i.publicIpAddress();
        InstanceStatus status = switch (state) {
            case "running" -> address != null ? InstanceStatus.RUNNING : InstanceStatus.PENDING;
            case "shutting-down", "stopping", "stopped" -> InstanceStatus.STOPPING;
            case "terminated" -> capacityReason(i) ? InstanceStatus.NO_CAPACITY : InstanceStatus.TERMINATED;
            default -> InstanceStatus.PENDING;
        };
        if ("running".equals(state) && address == null) {
            log.debug("instance {} is running without a {} address yet", i.instanceId(), privateAddresses ? "private" : "public");
        }
        SshEndpoint ssh = status == InstanceStatus.RUNNING ? login.apply(address) : null;
        if (i.instanceLifecycle() == InstanceLifecycleType.SPOT) {
            spot(poolId).add(region + "/" + i.instanceId());
        }
        return new Instance(region + "/" + i.instanceId(), NAME, poolId, index, status, i.publicIpAddress(),
                i.privateIpAddress(), ssh);
    }

    private static boolean capacityReason(software.amazon.awssdk.services.ec2.model.Instance i) {
        return i.stateReason() != null && i.stateReason().code() != null
                && i.stateReason().code().contains("InsufficientInstanceCapacity");
    }

    private Set<String> spot(String poolId) {
        return spotInstances.computeIfAbsent(poolId, p -> ConcurrentHashMap.newKeySet());
    }

    @Override
    public NodeAccess access(Instance instance) {
        // The instance's shutdown behaviour is terminate: a node that shuts itself down stops being billed.
        NodeAccess access = NodeAccess.poolKey().withOnExpire(onExpire);
        // A spot instance gets two minutes' notice before AWS takes it: its agent watches for it.
        if (spotInstances.getOrDefault(instance.poolId(), Set.of()).contains(instance.id())) {
            String ec2Id = instance.id().substring(instance.id().indexOf('/') + 1);
            access = access.withSpotNotice(metadataEndpoint.apply(ec2Id));
        }
        return access;
    }

    // ---- terminate ----

    @Override
    public void terminate(String poolId) {
        long deadline = System.nanoTime() + terminateTimeout.toNanos();
        for (String region : regionsOf(poolId)) {
            Ec2Client ec2 = clients.in(region).ec2();
            try {
                Set<String> ids = new LinkedHashSet<>();
                launched.getOrDefault(poolId, Map.of()).values().stream()
                        .filter(l -> l.region().equals(region)).forEach(l -> ids.add(l.instanceId()));
                describe(poolId, region, ec2).forEach(i -> ids.add(i.instanceId()));
                if (!ids.isEmpty()) {
                    terminateIds(ec2, ids, deadline);
                    awaitTerminated(poolId, region, ec2, ids, deadline);
                }
                new PoolResources(ec2, poolId, backoff).delete(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                verifyGone(poolId, region, ec2);
            } catch (SdkException e) {
                throw Ec2Errors.classify("terminating pool " + poolId + " in " + region, e);
            }
        }
        launched.remove(poolId);
        poolRegions.remove(poolId);
        spotInstances.remove(poolId);
    }

    /**
     * Terminates these instances of the pool ({@code region/instance-id}, as {@link Instance#id()}
     * gives them) and waits until they are terminated; the pool's key pair, security group and other
     * instances stay.
     */
    @Override
    public void terminate(String poolId, java.util.Collection<String> instanceIds) {
        long deadline = System.nanoTime() + terminateTimeout.toNanos();
        for (String region : regionsOf(poolId)) {
            Ec2Client ec2 = clients.in(region).ec2();
            try {
                Set<String> ids = new LinkedHashSet<>();
                describe(poolId, region, ec2).stream().filter(i -> instanceIds.contains(region + "/" + i.instanceId()))
                        .forEach(i -> ids.add(i.instanceId()));
                if (ids.isEmpty()) {
                    continue;
                }
                terminateIds(ec2, ids, deadline);
                for (int attempt = 0; ; attempt++) {
                    Set<String> left = new LinkedHashSet<>();
                    describe(poolId, region, ec2).stream().filter(i -> ids.contains(i.instanceId()))
                            .forEach(i -> left.add(i.instanceId()));
                    if (left.isEmpty()) {
                        break;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new ProviderException(Kind.TRANSIENT, "AWS instances " + left + " of pool " + poolId
                                + " in " + region + " not terminated within " + terminateTimeout);
                    }
                    backoff.pause(Math.min(attempt, 3));
                }
                Map<String, Launched> mine = launched.get(poolId);
                if (mine != null) {
                    ids.forEach(mine::remove);
                }
            } catch (SdkException e) {
                throw Ec2Errors.classify("terminating instances " + instanceIds + " of pool " + poolId + " in " + region, e);
            }
        }
    }

    private void terminateIds(Ec2Client ec2, Set<String> ids, long deadline) {
        for (int attempt = 0; ; attempt++) {
            try {
                ec2.terminateInstances(b -> b.instanceIds(ids));
                log.debug("terminating {}", ids);
                return;
            } catch (AwsServiceException e) {
                // An instance created a moment ago may not be known to every endpoint yet.
                if (!"InvalidInstanceID.NotFound".equals(Ec2Errors.code(e)) || System.nanoTime() > deadline) {
                    throw e;
                }
                backoff.pause(attempt);
            }
        }
    }

    private void awaitTerminated(String poolId, String region, Ec2Client ec2, Set<String> ids, long deadline) {
        for (int attempt = 0; ; attempt++) {
            Set<String> left = new LinkedHashSet<>();
            try {
                ec2.describeInstancesPaginator(b -> b.instanceIds(ids)).reservations()
                        .forEach(r -> r.instances().stream().filter(i -> !"terminated".equals(i.state().nameAsString()))
                                .forEach(i -> left.add(i.instanceId())));
            } catch (AwsServiceException e) {
                if (!"InvalidInstanceID.NotFound".equals(Ec2Errors.code(e))) {
                    throw e;
                }
                left.addAll(ids);
            }
            describe(poolId, region, ec2).forEach(i -> left.add(i.instanceId()));
            if (left.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new ProviderException(Kind.TRANSIENT, "AWS instances of pool " + poolId + " in " + region
                        + " not terminated within " + terminateTimeout + ": " + left
                        + "; check the EC2 console (filter by tag " + POOL_TAG + "=" + poolId + ")");
            }
            backoff.pause(Math.min(attempt, 3));
        }
    }

    private List<software.amazon.awssdk.services.ec2.model.Instance> describe(String poolId, String region, Ec2Client ec2) {
        List<software.amazon.awssdk.services.ec2.model.Instance> out = new ArrayList<>();
        ec2.describeInstancesPaginator(b -> b.filters(
                        Filter.builder().name("tag:" + POOL_TAG).values(poolId).build(),
                        Filter.builder().name("instance-state-name")
                                .values("pending", "running", "shutting-down", "stopping", "stopped").build()))
                .reservations().forEach(r -> out.addAll(r.instances()));
        return out;
    }

    private void verifyGone(String poolId, String region, Ec2Client ec2) {
        PoolResources resources = new PoolResources(ec2, poolId, backoff);
        List<String> left = new ArrayList<>();
        describe(poolId, region, ec2).forEach(i -> left.add("instance " + i.instanceId()));
        resources.groups(null).forEach(g -> left.add("security group " + g.groupId()));
        resources.keys().forEach(k -> left.add("key pair " + k.keyName()));
        if (!left.isEmpty()) {
            throw new ProviderException(Kind.TRANSIENT, "AWS resources of pool " + poolId + " in " + region
                    + " still exist after terminate: " + left);
        }
    }

    /** Closes the SDK clients. */
    @Override
    public void close() {
        clients.close();
    }

    @Override
    public String toString() {
        return "Aws" + (regions.isEmpty() ? "" : regions);
    }

    /**
     * Settings of an {@link Aws} provider.
     *
     * <pre>{@code
     * Aws aws = Aws.builder()
     *         .region("us-east-1", "us-west-2")      // tried in this order
     *         .profile("research")                   // a profile in ~/.aws/config
     *         .sshSource("203.0.113.7/32")           // who may SSH in (default: see sshSource)
     *         .build();
     * }</pre>
     */
    public static final class Builder {
        private final List<String> regions = new ArrayList<>();
        private String profile;
        private AwsCredentialsProvider credentials;
        private URI endpoint;
        private String sshSource;
        private String vpcId;
        private final List<String> subnetIds = new ArrayList<>();
        private boolean privateAddresses;
        private Function<String, SshEndpoint> login = address -> new SshEndpoint(address, 22, "ubuntu");
        private String onExpire = "sudo -n shutdown -h now";
        private String ami;
        private int diskGiB;
        private Backoff backoff = Backoff.DEFAULT;
        private Duration terminateTimeout = Duration.ofMinutes(10);
        private Function<String, URI> metadataEndpoint = id -> DEFAULT_METADATA_ENDPOINT;

        private Builder() {
        }

        /**
         * Where a spot node's agent reads the instance metadata service (IMDSv2) for the interruption
         * notice (default {@code http://169.254.169.254}; on IPv6-only subnets
         * {@code http://[fd00:ec2::254]}). Only spot instances watch for it.
         *
         * @param endpoint the service as the instances reach it
         * @return this builder
         */
        public Builder metadataEndpoint(URI endpoint) {
            Objects.requireNonNull(endpoint, "endpoint");
            if (!"http".equals(endpoint.getScheme()) || endpoint.getHost() == null) {
                throw new PoolConfigurationException("the metadata endpoint must be an http:// address such as "
                        + "http://169.254.169.254, not '" + endpoint + "'");
            }
            this.metadataEndpoint = id -> endpoint;
            return this;
        }

        /** Per instance (EC2 id → address): tests serve every instance's metadata from one loopback server. */
        Builder metadataEndpoint(Function<String, URI> perInstance) {
            this.metadataEndpoint = Objects.requireNonNull(perInstance, "perInstance");
            return this;
        }

        /**
         * Regions to use, most preferred first (default: the region of the SDK's region chain —
         * {@code AWS_REGION}, the profile's {@code region} — else every region in the catalog).
         *
         * @param regions region codes such as {@code us-east-1}
         * @return this builder
         */
        public Builder region(String... regions) {
            for (String r : regions) {
                if (r == null || !r.matches("[a-z]{2}(-gov)?-[a-z]+-[0-9]")) {
                    throw new PoolConfigurationException("not an AWS region code: '" + r + "' (e.g. us-east-1)");
                }
                this.regions.add(r);
            }
            return this;
        }

        /**
         * A named profile of {@code ~/.aws/credentials} / {@code ~/.aws/config} instead of the default chain.
         *
         * @param profile the profile name
         * @return this builder
         */
        public Builder profile(String profile) {
            this.profile = requireText(profile, "profile");
            return this;
        }

        /**
         * Credentials from a provider of the SDK's own, instead of the default chain.
         *
         * @param credentials e.g. {@code StaticCredentialsProvider.create(...)}
         * @return this builder
         */
        public Builder credentials(AwsCredentialsProvider credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /**
         * Sends every EC2 and SSM call to this endpoint (an emulator in tests, a VPC endpoint).
         *
         * @param endpoint e.g. {@code http://127.0.0.1:5000}
         * @return this builder
         */
        public Builder endpointOverride(URI endpoint) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            return this;
        }

        /**
         * Who may connect to the pool's SSH port, as a CIDR block. Default: this machine's public address
         * when one of its interfaces has it; with {@link #privateAddresses()}, the VPC's range; otherwise
         * {@code 0.0.0.0/0} with a warning on the console (logins still need the pool's own key).
         *
         * @param cidr e.g. {@code 203.0.113.7/32}
         * @return this builder
         */
        public Builder sshSource(String cidr) {
            if (cidr == null || !cidr.matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}")) {
                throw new PoolConfigurationException("SSH source must be an IPv4 CIDR block such as 203.0.113.7/32, not '"
                        + cidr + "'");
            }
            this.sshSource = cidr;
            return this;
        }

        /**
         * Launches into this VPC's subnets instead of the default VPC's (set {@link #region} to its region).
         *
         * @param vpcId e.g. {@code vpc-0abc...}
         * @return this builder
         */
        public Builder vpc(String vpcId) {
            this.vpcId = requireText(vpcId, "vpc id");
            return this;
        }

        /**
         * Launches only into these subnets, one zone each, tried in zone order.
         *
         * @param subnetIds e.g. {@code subnet-0abc...}
         * @return this builder
         */
        public Builder subnets(String... subnetIds) {
            for (String s : subnetIds) {
                this.subnetIds.add(requireText(s, "subnet id"));
            }
            return this;
        }

        /**
         * Connects to the nodes over their private addresses (a client inside the VPC, or on a VPN into it).
         *
         * @return this builder
         */
        public Builder privateAddresses() {
            this.privateAddresses = true;
            return this;
        }

        /**
         * How to log in, given the address connected to (default: port 22, user {@code ubuntu}, which both the
         * Ubuntu and the Deep Learning AMIs use). For a custom AMI with another user.
         *
         * @param login from the instance's address to the SSH endpoint
         * @return this builder
         */
        public Builder login(Function<String, SshEndpoint> login) {
            this.login = Objects.requireNonNull(login, "login");
            return this;
        }

        /**
         * What a node runs when its dead-man's switch fires (default {@code sudo -n shutdown -h now}: the
         * instance's shutdown behaviour is terminate, so this ends its billing).
         *
         * @param command a shell command
         * @return this builder
         */
        public Builder onExpire(String command) {
            this.onExpire = requireText(command, "expiry command");
            return this;
        }

        /**
         * A fixed AMI instead of the current Deep Learning Base AMI (GPU types) or Ubuntu 24.04 (CPU types).
         *
         * @param amiId e.g. {@code ami-0abc...}
         * @return this builder
         */
        public Builder ami(String amiId) {
            this.ami = requireText(amiId, "AMI id");
            return this;
        }

        /**
         * Size of the gp3 root volume (default 200 GiB for GPU types, 30 GiB otherwise; never below the AMI's).
         *
         * @param gib GiB
         * @return this builder
         */
        public Builder diskGiB(int gib) {
            if (gib < 8 || gib > 16384) {
                throw new PoolConfigurationException("disk size must be 8..16384 GiB, not " + gib);
            }
            this.diskGiB = gib;
            return this;
        }

        /** Pauses between retries of throttled calls and DependencyViolation (tests shorten them). */
        Builder backoff(Duration first, Duration cap) {
            this.backoff = new Backoff(first, cap);
            return this;
        }

        /**
         * How long terminate waits for instances to reach {@code terminated} (default 10 minutes).
         *
         * @param timeout the wait
         * @return this builder
         */
        public Builder terminateTimeout(Duration timeout) {
            this.terminateTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The provider. */
        public Aws build() {
            return new Aws(this);
        }

        private static String requireText(String value, String what) {
            if (value == null || value.isBlank()) {
                throw new PoolConfigurationException(what + " must not be empty");
            }
            return value;
        }
    }
}
