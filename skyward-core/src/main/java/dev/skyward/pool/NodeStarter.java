package dev.skyward.pool;

import dev.skyward.PoolEvent;
import dev.skyward.bootstrap.BootstrapPhase;
import dev.skyward.bootstrap.BootstrapSettings;
import dev.skyward.bootstrap.HostKeyPolicy;
import dev.skyward.bootstrap.PoolKey;
import dev.skyward.bootstrap.SshAgentLauncher;
import dev.skyward.bootstrap.SshCredentials;
import dev.skyward.local.LocalAgentLauncher;
import dev.skyward.node.AgentCommand;
import dev.skyward.node.AgentLauncher;
import dev.skyward.node.StartedAgent;
import dev.skyward.spi.Instance;
import dev.skyward.spi.NodeAccess;
import dev.skyward.spi.PoolSpec;
import dev.skyward.spi.Provider;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Starts each node's agent the way its provider says ({@link Provider#access}): a child process
 * for the local provider, otherwise the SSH bootstrap with the login, host-key policy, banner wait
 * and expiry command the provider chose, and whether the agent watches for a spot interruption
 * notice. The one place that turns a {@link NodeAccess} into a
 * launcher.
 */
final class NodeStarter implements AgentLauncher {

    private static final Duration MAX_RECONNECT_WINDOW = Duration.ofSeconds(30);

    private final Provider provider;
    private final PoolSpec spec;
    private final Supplier<PoolKey> poolKey;
    private final Consumer<PoolEvent> events;

    NodeStarter(Provider provider, PoolSpec spec, Supplier<PoolKey> poolKey, Consumer<PoolEvent> events) {
        this.provider = provider;
        this.spec = spec;
        this.poolKey = poolKey;
        this.events = events;
    }

    @Override
    public StartedAgent start(Instance instance, AgentCommand given) throws IOException {
        NodeAccess access = provider.access(instance);
        if (access == null) {
            throw new IOException("provider " + provider.name() + " said nothing about how to reach instance "
                    + instance.id() + " (access() returned null)");
        }
        // Only where the provider asks (its spot instances): elsewhere there is no notice to watch for.
        AgentCommand command = access.spotNotice() != null ? given.withSpotNotice(access.spotNotice()) : given;
        if (access.login() == NodeAccess.Login.LOCAL_PROCESS) {
            return new LocalAgentLauncher(access.workDir()).start(instance, command);
        }
        if (instance.ssh() == null) {
            throw new IOException("instance " + instance.id() + " of " + provider.name() + " has no SSH endpoint, "
                    + "but its provider says to reach it over SSH");
        }
        // A node is declared lost before its agent gives up on us: half the grace, at most 30 s.
        Duration half = spec.heartbeatGrace().dividedBy(2);
        BootstrapSettings settings = BootstrapSettings.builder()
                .image(spec.image())
                .reconnectWindow(half.compareTo(MAX_RECONNECT_WINDOW) < 0 ? half : MAX_RECONNECT_WINDOW)
                .timeout(BootstrapPhase.BANNER, access.bannerWait())
                .onExpire(access.onExpire())
                .build();
        SshCredentials login = credentials(access, instance);
        return new SshAgentLauncher(settings, i -> login, events).start(instance, command);
    }

    private SshCredentials credentials(NodeAccess access, Instance instance) {
        return switch (access.login()) {
            case POOL_KEY -> {
                PoolKey key = poolKey.get();
                if (!access.knownHostKeys().isEmpty()) {
                    key.pins().expect(instance.ssh().host(), instance.ssh().port(), access.knownHostKeys());
                }
                yield key.credentials();
            }
            case KEY_FILE -> SshCredentials.keyFile(access.keyFile(), hostKeys(access));
            case SSH_AGENT -> SshCredentials.agent(access.agentSocket(), hostKeys(access));
            case LOCAL_PROCESS -> throw new IllegalStateException("local processes have no SSH login");
        };
    }

    private static HostKeyPolicy hostKeys(NodeAccess access) {
        return HostKeyPolicy.knownHosts(access.knownHosts());
    }
}
