package dev.skyward.local;

import dev.skyward.Accelerator;
import dev.skyward.spi.Instance;
import dev.skyward.spi.InstanceStatus;
import dev.skyward.spi.LaunchRequest;
import dev.skyward.spi.NodeAccess;
import dev.skyward.spi.Offer;
import dev.skyward.spi.OfferQuery;
import dev.skyward.spi.OwnedInstance;
import dev.skyward.spi.Ownership;
import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The local provider: every node is an agent JVM on this machine, in its own working directory,
 * listening on 127.0.0.1. It is what a pool uses when no provider is given, so everything works
 * without a cloud account; it is also how tests and notebooks try code before paying for GPUs.
 *
 * <pre>{@code
 * try (var pool = ComputePool.builder().nodes(4).build()) { ... }          // implicit
 * ComputePool.builder().provider(new Aws(), new Local())                   // fallback after a cloud
 * ComputePool.builder().provider(Local.builder().emulate("H100:8").build()).accelerator("H100:8")
 * }</pre>
 *
 * <p>This machine has no accelerator as far as the local provider knows, so a pool that asks for
 * one gets no local offer, unless {@link Builder#emulate} says to pretend (the nodes then report that
 * accelerator in {@code NodeContext} but have no such device).
 */
public final class Local implements Provider {

    /** The provider's name. */
    public static final String NAME = "local";
    /** The file in a node directory that records who made it. */
    static final String OWNER_FILE = ".skyward-owner";
    private static final java.util.regex.Pattern NODE_DIR = java.util.regex.Pattern.compile("(.+)-node-(\\d+)");

    private final Path root;
    private final Accelerator emulated;

    /** The environment variable that moves the default root (see {@link Builder#root}). */
    public static final String ROOT_ENV = "SKYWARD_LOCAL_ROOT";

    /**
     * A local provider with the defaults: sandboxes under {@code $SKYWARD_LOCAL_ROOT} where that is
     * set, else {@code java.io.tmpdir/skyward-local-<user>}.
     */
    public Local() {
        this(builder());
    }

    private Local(Builder b) {
        this.root = b.root;
        this.emulated = b.emulated;
    }

    /** A builder for a customized local provider. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderCheck check() {
        return ProviderCheck.ok(NAME, "this machine");
    }

    @Override
    public List<Offer> offers(OfferQuery query) {
        Accelerator want = query.accelerator();
        Accelerator have = emulated;
        if (want.isPresent() && !(have.name().equals(want.name()) && have.count() >= want.count())) {
            return List.of();
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        return List.of(new Offer(NAME, "local", want.isPresent() ? have : Accelerator.NONE, cpus, memoryGiB(), NAME, "",
                0.0, Double.NaN, System.getProperty("os.arch")));
    }

    @Override
    public List<Instance> launch(LaunchRequest request) {
        List<Instance> out = new ArrayList<>();
        try {
            for (int i = 0; i < request.count(); i++) {
                Path dir = nodeDir(request.poolId(), i);
                Files.createDirectories(dir);
                writeOwner(dir, request.tags());
                out.add(instance(request.poolId(), i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the local node directory under " + root + ": "
                    + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public List<Instance> describe(String poolId) {
        return nodeDirs(poolId).stream()
                .map(p -> instance(poolId, Integer.parseInt(p.getFileName().toString().substring(prefix(poolId).length()))))
                .sorted(Comparator.comparingInt(Instance::launchIndex))
                .toList();
    }

    @Override
    public void terminate(String poolId) {
        for (Path dir : nodeDirs(poolId)) {
            remove(dir);
        }
    }

    /** Removes the node directories of these instances; the engine has stopped their agents. */
    @Override
    public void terminate(String poolId, java.util.Collection<String> instanceIds) {
        for (Path dir : nodeDirs(poolId)) {
            if (instanceIds.contains(dir.getFileName().toString())) {
                remove(dir);
            }
        }
    }

    private static void remove(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove local node directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Every node directory under this provider's root, whatever its pool or client, with the ownership
     * its launch recorded there ({@value #OWNER_FILE}); the price is 0.
     */
    @Override
    public List<OwnedInstance> ownedInstances() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<OwnedInstance> out = new ArrayList<>();
        try (Stream<Path> all = Files.list(root)) {
            for (Path dir : all.toList()) {
                java.util.regex.Matcher m = NODE_DIR.matcher(dir.getFileName().toString());
                if (!m.matches() || !Files.isDirectory(dir)) {
                    continue;
                }
                java.util.Map<String, String> tags = readOwner(dir);
                Ownership o = Ownership.fromTags(tags).orElse(null);
                java.time.Instant since = null;
                try {
                    since = Files.getLastModifiedTime(dir).toInstant();
                } catch (IOException e) {
                    // gone meanwhile
                }
                out.add(new OwnedInstance(instance(m.group(1), Integer.parseInt(m.group(2))), o, since, "local", NAME,
                        0.0));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static void writeOwner(Path dir, java.util.Map<String, String> tags) throws IOException {
        java.util.Properties p = new java.util.Properties();
        p.putAll(tags);
        try (var w = Files.newBufferedWriter(dir.resolve(OWNER_FILE))) {
            p.store(w, "who made this Skyward node (Ownership tags)");
        }
    }

    private static java.util.Map<String, String> readOwner(Path dir) {
        java.util.Properties p = new java.util.Properties();
        try (var r = Files.newBufferedReader(dir.resolve(OWNER_FILE))) {
            p.load(r);
        } catch (IOException e) {
            return java.util.Map.of();
        }
        java.util.Map<String, String> m = new java.util.HashMap<>();
        p.forEach((k, v) -> m.put(k.toString(), v.toString()));
        return m;
    }

    /** The pool's node directories; flat under the root, so an agent that removes its own leaves nothing. */
    private List<Path> nodeDirs(String poolId) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        String prefix = prefix(poolId);
        try (Stream<Path> all = Files.list(root)) {
            return all.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(prefix) && n.substring(prefix.length()).chars().allMatch(Character::isDigit);
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
    }

    private static String prefix(String poolId) {
        return poolId + "-node-";
    }

    /** Nodes are agent processes of this JVM, each in its own directory. */
    @Override
    public NodeAccess access(Instance instance) {
        return NodeAccess.localProcess(nodeDir(instance.poolId(), instance.launchIndex()));
    }

    /** The working directory of a node. */
    Path nodeDir(String poolId, int index) {
        return root.resolve(prefix(poolId) + index);
    }

    /** Where this provider keeps its sandboxes. */
    public Path root() {
        return root;
    }

    private Instance instance(String poolId, int index) {
        return new Instance(poolId + "-node-" + index, NAME, poolId, index, InstanceStatus.RUNNING, "127.0.0.1",
                "127.0.0.1", null);
    }

    private static double memoryGiB() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.round(os.getTotalMemorySize() / (1024.0 * 1024 * 1024));
        }
        return 0;
    }

    @Override
    public String toString() {
        return "local(" + root + (emulated.isPresent() ? ", emulating " + emulated : "") + ")";
    }

    static Path defaultRoot(java.util.Map<String, String> env, String tmpdir, String user) {
        String fromEnv = env.get(ROOT_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        return Path.of(tmpdir, "skyward-local-" + user);
    }

    /** Builds a {@link Local}. */
    public static final class Builder {
        private Path root = defaultRoot(System.getenv(), System.getProperty("java.io.tmpdir"), System.getProperty("user.name"));
        private Accelerator emulated = Accelerator.NONE;

        private Builder() {
        }

        /**
         * Where node working directories go. The default is the environment variable
         * {@value #ROOT_ENV} where it is set (so {@code skyward status}, {@code skyward down} and every
         * client of a shell see the same nodes), else {@code java.io.tmpdir/skyward-local-<user>}.
         *
         * @param root a directory
         * @return this builder
         */
        public Builder root(Path root) {
            this.root = Objects.requireNonNull(root, "root");
            return this;
        }

        /**
         * Pretend every local node has this accelerator, to try accelerator-specific code paths
         * without a GPU. Tasks see it in {@code NodeContext.accelerator()} and {@code GPUS_PER_NODE}.
         *
         * @param accelerator e.g. {@code "H100:8"}
         * @return this builder
         */
        public Builder emulate(String accelerator) {
            this.emulated = Accelerator.parse(accelerator);
            return this;
        }

        /** The provider. */
        public Local build() {
            return new Local(this);
        }
    }
}
