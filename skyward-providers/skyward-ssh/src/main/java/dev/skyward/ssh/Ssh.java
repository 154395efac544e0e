package dev.skyward.ssh;

import dev.skyward.Accelerator;
import dev.skyward.PoolConfigurationException;
import dev.skyward.bootstrap.HostKeyPolicy;
import dev.skyward.bootstrap.SshConnector;
import dev.skyward.bootstrap.SshCredentials;
import dev.skyward.bootstrap.SshSession;
import dev.skyward.bootstrap.SshTarget;
import dev.skyward.spi.Instance;
import dev.skyward.spi.InstanceStatus;
import dev.skyward.spi.LaunchRequest;
import dev.skyward.spi.NodeAccess;
import dev.skyward.spi.Offer;
import dev.skyward.spi.OfferQuery;
import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderCheck;
import dev.skyward.spi.ProviderException;
import dev.skyward.spi.SshEndpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Machines you already own, reached over SSH: a pool's nodes are the first N hosts of the list that
 * answer, accept the key, and have the accelerator the pool asks for (found with {@code nvidia-smi}).
 * Host keys must be in a known_hosts file; nothing is installed beyond the pool's image and a Java
 * runtime when none is there, and closing the pool stops its agents and removes their files, but
 * never shuts a machine down.
 *
 * <pre>{@code
 * Ssh lab = Ssh.builder()
 *         .host("ubuntu@gpu-1.lan").host("ubuntu@gpu-2.lan:2222")
 *         .identity(Path.of(System.getProperty("user.home"), ".ssh/id_ed25519"))
 *         .build();
 * // or: Ssh lab = Ssh.fromConfig(Path.of("hosts.conf"));   // see below for the format
 * try (var pool = ComputePool.builder().provider(lab).nodes(2).accelerator("A100").build()) { ... }
 * }</pre>
 *
 * <p>The config file format:
 * <pre>
 * user ubuntu
 * identity ~/.ssh/id_ed25519
 * known_hosts ~/.ssh/known_hosts
 * host gpu-1.lan
 * host admin@10.0.0.6:2222 identity=~/.ssh/lab_key
 * </pre>
 */
public final class Ssh implements Provider {

    /** The provider's name. */
    public static final String NAME = "ssh";

    private static final Logger log = LoggerFactory.getLogger(Ssh.class);
    private static final Pattern POOL_ID = Pattern.compile("[A-Za-z0-9._-]+");

    private final List<SshHostConfig> hosts;
    private final Path identity;
    private final Path agentSocket;
    private final Path knownHosts;
    private final Duration checkTimeout;
    private final HostKeyPolicy hostKeys;
    private final Map<String, List<Instance>> pools = new ConcurrentHashMap<>();
    /**
     * What each host was found to have, by the last check of it. Facts about the hosts, not about a
     * pool: pools that share this provider read them, and each launch picks its own hosts from them.
     */
    private final Map<SshHostConfig, HostProbe> probed = new ConcurrentHashMap<>();

    private Ssh(Builder b) {
        this.hosts = List.copyOf(b.hosts);
        this.identity = b.identity;
        this.agentSocket = b.agentSocket;
        this.knownHosts = b.knownHosts;
        this.checkTimeout = b.checkTimeout;
        this.hostKeys = HostKeyPolicy.knownHosts(knownHosts);
    }

    /** A builder with {@code ~/.ssh/id_ed25519} and {@code ~/.ssh/known_hosts} as defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A provider configured from a file (format in the class comment).
     *
     * @param file the file
     * @return the provider
     * @throws PoolConfigurationException when the file is missing or unreadable, or naming the line that is wrong
     */
    public static Ssh fromConfig(Path file) {
        if (file == null) {
            throw new PoolConfigurationException("ssh provider config file must not be null");
        }
        if (!Files.isRegularFile(file)) {
            throw new PoolConfigurationException("ssh provider config " + file.toAbsolutePath()
                    + " does not exist or is not a file; write one host per line (\"host user@address[:port]\")");
        }
        try {
            return SshConfigFile.read(file, builder()).build();
        } catch (IOException e) {
            throw new PoolConfigurationException("cannot read ssh provider config " + file.toAbsolutePath() + ": "
                    + e, e);
        }
    }

    /** The hosts, in order. */
    public List<SshHostConfig> hosts() {
        return hosts;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProviderCheck check() {
        if (hosts.isEmpty()) {
            return ProviderCheck.missing(NAME, "no hosts configured: add them with Ssh.builder().host(\"user@address\")"
                    + " or a 'host' line in the config file");
        }
        if (!Files.isReadable(knownHosts)) {
            return ProviderCheck.missing(NAME, "known_hosts file " + knownHosts + " is missing; add the hosts' keys "
                    + "with ssh-keyscan (after checking their fingerprints), e.g. ssh-keyscan -p PORT HOST >> "
                    + knownHosts);
        }
        for (SshHostConfig h : hosts) {
            Path key = keyOf(h);
            if (key == null) {
                if (agentSocket == null || !Files.exists(agentSocket)) {
                    return ProviderCheck.missing(NAME, "the ssh provider is set to use an ssh-agent, but "
                            + (agentSocket == null ? "SSH_AUTH_SOCK is not set" : agentSocket + " does not exist")
                            + "; start one (eval $(ssh-agent); ssh-add) or configure a key file with identity(...)");
                }
                continue;
            }
            if (!Files.isReadable(key)) {
                return ProviderCheck.missing(NAME, "private key " + key + " for " + h + " is missing or unreadable; "
                        + "set it with identity(...) or identity=PATH on the host's line");
            }
        }
        return ProviderCheck.ok(NAME, (identity != null ? "key " + identity : "ssh-agent at " + agentSocket) + ", "
                + knownHosts);
    }

    /**
     * Checks every host (login, {@code nvidia-smi}, CPUs, memory) in parallel and offers the first
     * {@code query.nodes()} that pass as one offer. When too few hosts have what the pool needs this
     * fails before anything is started, listing what each host has.
     *
     * @throws PoolConfigurationException when too few hosts are usable
     */
    @Override
    public List<Offer> offers(OfferQuery query) {
        ProviderCheck c = check();
        if (!c.ok()) {
            throw new PoolConfigurationException("ssh provider: " + c.message());
        }
        List<CompletableFuture<HostProbe>> probes = hosts.stream().map(h -> CompletableFuture.supplyAsync(
                () -> HostProbe.run(h, target(h), checkTimeout))).toList();
        List<HostProbe> all = probes.stream().map(CompletableFuture::join).toList();
        all.forEach(p -> probed.put(p.host(), p));
        List<HostProbe> fit = all.stream().filter(p -> p.ok() && p.has(query.accelerator())).toList();
        if (fit.size() < query.nodes()) {
            throw new PoolConfigurationException("the pool needs " + query.nodes() + " host(s) with "
                    + (query.accelerator().isPresent() ? query.accelerator() : "a working SSH login") + " but only "
                    + fit.size() + " of the " + hosts.size() + " configured qualify:\n  "
                    + all.stream().map(HostProbe::describe).collect(Collectors.joining("\n  ")));
        }
        List<HostProbe> chosen = fit.subList(0, query.nodes());
        Accelerator acc = common(chosen, query.accelerator());
        int vcpus = chosen.stream().mapToInt(HostProbe::vcpus).min().orElse(1);
        double mem = chosen.stream().mapToDouble(HostProbe::memoryGiB).min().orElse(0);
        return List.of(new Offer(NAME, "hosts", acc, vcpus, mem, "owned", "", 0.0, Double.NaN, chosen.get(0).arch()));
    }

    /**
     * What each node offers: when the pool asks for an accelerator, exactly that (the hosts have at
     * least as many, and a node's tasks are meant to use the count asked for), with the hosts' GPU
     * memory; otherwise what the chosen hosts all have, or none.
     */
    private static Accelerator common(List<HostProbe> chosen, Accelerator want) {
        int mem = chosen.stream().mapToInt(p -> p.accelerator().memoryGiB()).min().orElse(0);
        if (want.isPresent()) {
            return Accelerator.of(want.name(), want.count(), Math.max(want.memoryGiB(), mem));
        }
        Accelerator first = chosen.get(0).accelerator();
        boolean same = chosen.stream().allMatch(p -> p.accelerator().name().equals(first.name()));
        if (!first.isPresent() || !same) {
            return Accelerator.NONE;
        }
        int count = chosen.stream().mapToInt(p -> p.accelerator().count()).min().orElse(0);
        return Accelerator.of(first.name(), count, mem);
    }

    @Override
    public List<Instance> launch(LaunchRequest request) {
        if (!POOL_ID.matcher(request.poolId()).matches()) {
            throw new ProviderException(ProviderException.Kind.FATAL, "pool id '" + request.poolId()
                    + "' has characters the ssh provider cannot use in file names");
        }
        // The hosts that passed their last check with what this offer promises, in list order.
        List<HostProbe> fit = hosts.stream().map(probed::get)
                .filter(p -> p != null && p.ok() && p.has(request.offer().accelerator())).toList();
        if (fit.size() < request.count()) {
            throw new ProviderException(ProviderException.Kind.CAPACITY, "only " + fit.size()
                    + " checked hosts have " + request.offer().accelerator() + " for " + request.count()
                    + " nodes; offers() checks the hosts and must come first");
        }
        // Idempotent: the pool's instances stay; each missing launch index gets the first fitting host not in use.
        synchronized (pools) {
            List<Instance> instances = new ArrayList<>(pools.getOrDefault(request.poolId(), List.of()));
            java.util.Set<Integer> have = new java.util.HashSet<>();
            java.util.Set<String> used = new java.util.HashSet<>();
            instances.forEach(i -> {
                have.add(i.launchIndex());
                used.add(i.id());
            });
            java.util.Iterator<SshHostConfig> free = fit.stream().map(HostProbe::host)
                    .filter(h -> !used.contains(NAME + ":" + h)).iterator();
            for (int i = 0; i < request.count(); i++) {
                if (have.contains(i)) {
                    continue;
                }
                if (!free.hasNext()) {
                    throw new ProviderException(ProviderException.Kind.CAPACITY, "every checked host with "
                            + request.offer().accelerator() + " already serves pool " + request.poolId());
                }
                SshHostConfig h = free.next();
                instances.add(new Instance(NAME + ":" + h, NAME, request.poolId(), i, InstanceStatus.RUNNING,
                        h.address(), h.address(), new SshEndpoint(h.address(), h.port(), h.user())));
            }
            instances.sort(java.util.Comparator.comparingInt(Instance::launchIndex));
            pools.put(request.poolId(), List.copyOf(instances));
            return instances;
        }
    }

    @Override
    public List<Instance> describe(String poolId) {
        return pools.getOrDefault(poolId, List.of());
    }

    /**
     * Ends the pool's use of its hosts: kills any agent of the pool still running there (the launcher
     * normally has) and removes the pool's run directories. The machines keep running, and keep the
     * content cache for the next pool.
     */
    @Override
    public void terminate(String poolId) {
        List<Instance> instances = pools.get(poolId);
        if (instances == null) {
            return;
        }
        List<CompletableFuture<Void>> cleanups = instances.stream().map(i -> CompletableFuture.runAsync(() -> {
            SshHostConfig h = configOf(i);
            try (SshSession s = SshConnector.connect(target(h), Duration.ofSeconds(10), Duration.ofSeconds(10))) {
                String script = "for f in \"$HOME\"/.skyward/run/" + poolId + "-r*/agent.pid; do\n"
                        + "  [ -f \"$f\" ] || continue; p=$(cat \"$f\"); kill -9 -$p 2>/dev/null; kill -9 $p 2>/dev/null\n"
                        + "done\nrm -rf \"$HOME\"/.skyward/run/" + poolId + "-r*\n";
                s.exec(script, Duration.ofSeconds(20));
            } catch (IOException e) {
                log.warn("could not check {} for leftovers of pool {}: {}", h, poolId, e.getMessage());
            }
        })).toList();
        cleanups.forEach(CompletableFuture::join);
        pools.remove(poolId);
    }

    /**
     * Ends the pool's use of these hosts only: kills the pool's agent of that launch index there (the
     * engine normally has stopped it) and removes its run directory. The pool's other hosts stay.
     */
    @Override
    public void terminate(String poolId, java.util.Collection<String> instanceIds) {
        List<Instance> gone;
        synchronized (pools) {
            List<Instance> instances = pools.get(poolId);
            if (instances == null) {
                return;
            }
            gone = instances.stream().filter(i -> instanceIds.contains(i.id())).toList();
            pools.put(poolId, instances.stream().filter(i -> !instanceIds.contains(i.id())).toList());
        }
        for (Instance i : gone) {
            SshHostConfig h = configOf(i);
            String dir = "\"$HOME\"/.skyward/run/" + poolId + "-r" + i.launchIndex();
            try (SshSession s = SshConnector.connect(target(h), Duration.ofSeconds(10), Duration.ofSeconds(10))) {
                s.exec("f=" + dir + "/agent.pid; if [ -f \"$f\" ]; then p=$(cat \"$f\"); kill -9 -$p 2>/dev/null; "
                        + "kill -9 $p 2>/dev/null; fi\nrm -rf " + dir + "\n", Duration.ofSeconds(20));
            } catch (IOException e) {
                log.warn("could not check {} for leftovers of pool {}: {}", h, poolId, e.getMessage());
            }
        }
    }

    /**
     * The user's key (or ssh-agent) and known_hosts; a short banner wait, since these machines are up
     * already and an unanswered port is a mistake, not a boot in progress. Nothing runs on expiry:
     * the machines are not ours to stop.
     */
    @Override
    public NodeAccess access(Instance instance) {
        SshHostConfig h = configOf(instance);
        Path key = keyOf(h);
        NodeAccess access = key != null ? NodeAccess.userKey(key, knownHosts) : NodeAccess.sshAgent(agentSocket, knownHosts);
        return access.withBannerWait(checkTimeout);
    }

    private SshCredentials credentials(SshHostConfig h) {
        Path key = keyOf(h);
        return key != null ? SshCredentials.keyFile(key, hostKeys) : SshCredentials.agent(agentSocket, hostKeys);
    }


    private SshHostConfig configOf(Instance instance) {
        SshEndpoint ep = instance.ssh();
        return hosts.stream().filter(h -> h.address().equals(ep.host()) && h.port() == ep.port()
                && h.user().equals(ep.user())).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "instance " + instance.id() + " is not one of this provider's hosts"));
    }

    /** The host's key file, or {@code null} when the ssh-agent is to be used. */
    private Path keyOf(SshHostConfig h) {
        return h.identity() != null ? h.identity() : identity;
    }

    private SshTarget target(SshHostConfig h) {
        return new SshTarget(h.address(), h.port(), h.user(), credentials(h));
    }

    @Override
    public String toString() {
        return "ssh" + hosts;
    }

    /** Builds an {@link Ssh} provider. */
    public static final class Builder {
        private final List<SshHostConfig> hosts = new ArrayList<>();
        private Path identity = SshConfigFile.path("~/.ssh/id_ed25519");
        private Path agentSocket;
        private Path knownHosts = SshConfigFile.path("~/.ssh/known_hosts");
        private Duration checkTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /**
         * Adds a host, {@code user@address[:port]}.
         *
         * @param spec e.g. {@code "ubuntu@10.0.0.5"} or {@code "ubuntu@gpu-1.lan:2222"}
         * @return this builder
         */
        public Builder host(String spec) {
            return host(SshHostConfig.parse(notNull(spec, "host"), null));
        }

        /**
         * Adds a host.
         *
         * @param address host name or IP
         * @param port SSH port
         * @param user login user
         * @return this builder
         */
        public Builder host(String address, int port, String user) {
            return host(new SshHostConfig(address, port, user, null));
        }

        /** Adds a host. */
        public Builder host(SshHostConfig host) {
            hosts.add(notNull(host, "host"));
            return this;
        }

        /** The private key for hosts without their own (no passphrase). Default {@code ~/.ssh/id_ed25519}. */
        public Builder identity(Path keyFile) {
            this.identity = notNull(keyFile, "identity key file");
            this.agentSocket = null;
            return this;
        }

        /**
         * Log in to hosts without their own key with the keys of the running ssh-agent
         * ({@code SSH_AUTH_SOCK}) instead of a key file; useful for keys with a passphrase.
         */
        public Builder useAgent() {
            String sock = System.getenv("SSH_AUTH_SOCK");
            return useAgent(sock == null ? null : Path.of(sock));
        }

        /**
         * Log in with the keys of the ssh-agent listening on this socket.
         *
         * @param socket the agent's socket, or {@code null} (then check() says none is running)
         * @return this builder
         */
        public Builder useAgent(Path socket) {
            this.identity = null;
            this.agentSocket = socket == null ? Path.of("/nonexistent/SSH_AUTH_SOCK") : socket;
            return this;
        }

        /** The known_hosts file host keys are checked against. Default {@code ~/.ssh/known_hosts}. */
        public Builder knownHosts(Path file) {
            this.knownHosts = notNull(file, "known_hosts file");
            return this;
        }

        /** How long checking one host (connect, login, nvidia-smi) may take. Default 10 s. */
        public Builder checkTimeout(Duration timeout) {
            this.checkTimeout = notNull(timeout, "check timeout");
            return this;
        }

        /** The provider. */
        public Ssh build() {
            return new Ssh(this);
        }

        private static <T> T notNull(T value, String what) {
            if (value == null) {
                throw new PoolConfigurationException(what + " must not be null");
            }
            return value;
        }
    }
}
