package dev.skyward.bootstrap;

import dev.skyward.PoolEvent;
import dev.skyward.node.AgentCommand;
import dev.skyward.node.AgentJar;
import dev.skyward.node.AgentLauncher;
import dev.skyward.node.StartedAgent;
import dev.skyward.spi.Instance;
import dev.skyward.spi.SshEndpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts agents on remote machines over SSH. For each instance: wait for the SSH banner, connect
 * (host key checked), probe OS/arch/Java/cache in one round trip, ensure Java 17+, apply the image,
 * upload the agent jar and classpath jars by content hash, start the agent detached on the node's
 * 127.0.0.1 with the pool token in its environment, wait for its port file, and forward a local
 * port to it. Every phase has its own deadline and is published as a
 * {@link PoolEvent.NodeProgress}. {@link #start} is thread-safe: the engine calls it for all nodes
 * in parallel.
 *
 * <pre>{@code
 * var launcher = new SshAgentLauncher(settings, instance -> credentials, event -> console.show(event));
 * StartedAgent agent = launcher.start(instance, command);   // connect gRPC to agent.host():agent.port()
 * }</pre>
 */
public final class SshAgentLauncher implements AgentLauncher {

    private static final Logger log = LoggerFactory.getLogger(SshAgentLauncher.class);

    private final BootstrapSettings settings;
    private final Function<Instance, SshCredentials> credentials;
    private final Consumer<PoolEvent> events;

    /**
     * @param settings image, deadlines, extra jars
     * @param credentials key and host key policy per instance
     * @param events receives progress; must not block
     */
    public SshAgentLauncher(BootstrapSettings settings, Function<Instance, SshCredentials> credentials,
            Consumer<PoolEvent> events) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.events = Objects.requireNonNull(events, "events");
    }

    /**
     * The SSH target of an instance.
     *
     * @param instance must have {@link Instance#ssh()}
     * @return where to connect
     */
    public SshTarget target(Instance instance) {
        SshEndpoint ep = Objects.requireNonNull(instance.ssh(), () -> "instance " + instance.id()
                + " has no SSH endpoint; the SSH launcher only handles instances with ssh() != null");
        return new SshTarget(ep.host(), ep.port(), ep.user(), credentials.apply(instance));
    }

    @Override
    public SshStartedAgent start(Instance instance, AgentCommand command) throws IOException {
        SshTarget target = target(instance);
        Map<BootstrapPhase, Duration> phases = new EnumMap<>(BootstrapPhase.class);
        long t0 = System.nanoTime();
        Consumer<String> progress = msg -> emit(command, BootstrapPhase.BANNER, msg);

        long t = System.nanoTime();
        emit(command, BootstrapPhase.BANNER, "waiting for " + target);
        SshConnector.awaitBanner(target, settings.timeout(BootstrapPhase.BANNER));
        phases.put(BootstrapPhase.BANNER, since(t));

        t = System.nanoTime();
        emit(command, BootstrapPhase.CONNECT, "logging in as " + target.user());
        SshSession session = SshConnector.login(target, settings.timeout(BootstrapPhase.CONNECT));
        phases.put(BootstrapPhase.CONNECT, since(t));
        try {
            List<Artifact> artifacts = new ArrayList<>();
            artifacts.add(agentArtifact(command.agentJar()));
            for (var jar : settings.classpath()) {
                artifacts.add(Artifact.of(jar));
            }
            String imageKey = ImageInstaller.key(settings.image());

            t = System.nanoTime();
            NodeFacts facts = phase(session, BootstrapPhase.PROBE, () -> NodeFacts.parse(session.exec(
                    NodeFacts.script(settings.javaCandidates(), artifacts.stream().map(Artifact::sha256).toList(),
                            imageKey, AgentProcess.classArchiveName(artifacts.get(0))),
                    settings.timeout(BootstrapPhase.PROBE)).stdout()));
            phases.put(BootstrapPhase.PROBE, since(t));
            if (!facts.os().equals("Linux") || facts.home().isEmpty()) {
                throw new BootstrapException(BootstrapPhase.PROBE, target.toString(), "unsupported node: os '"
                        + facts.os() + "', home '" + facts.home() + "'; Skyward needs a Linux host with a POSIX shell",
                        null);
            }
            emit(command, BootstrapPhase.PROBE, facts.os() + " " + facts.arch() + " " + facts.distro());

            t = System.nanoTime();
            JavaRuntime java = phase(session, BootstrapPhase.JAVA, () -> JavaProvisioner.ensure(session, facts,
                    settings.javaCandidates(), settings.timeout(BootstrapPhase.JAVA),
                    m -> emit(command, BootstrapPhase.JAVA, m)));
            phases.put(BootstrapPhase.JAVA, since(t));

            if (ImageInstaller.needsWork(settings.image()) && !facts.imageReady()) {
                t = System.nanoTime();
                phase(session, BootstrapPhase.IMAGE, () -> {
                    ImageInstaller.apply(session, facts, settings.image(), settings.timeout(BootstrapPhase.IMAGE),
                            m -> emit(command, BootstrapPhase.IMAGE, m));
                    return null;
                });
                phases.put(BootstrapPhase.IMAGE, since(t));
            }

            t = System.nanoTime();
            ArtifactUploader.Result up = phase(session, BootstrapPhase.UPLOAD, () -> ArtifactUploader.upload(session,
                    facts, artifacts, settings.timeout(BootstrapPhase.UPLOAD), m -> emit(command, BootstrapPhase.UPLOAD, m)));
            phases.put(BootstrapPhase.UPLOAD, since(t));
            emit(command, BootstrapPhase.UPLOAD, up.filesSent() + " sent (" + up.bytesSent() + " bytes), "
                    + up.filesCached() + " cached");

            t = System.nanoTime();
            AgentProcess process = phase(session, BootstrapPhase.AGENT, () -> AgentProcess.start(session, facts, java,
                    artifacts, command, settings, settings.timeout(BootstrapPhase.AGENT)));
            phases.put(BootstrapPhase.AGENT, since(t));
            emit(command, BootstrapPhase.AGENT, "pid " + process.pid() + " on 127.0.0.1:" + process.port());

            t = System.nanoTime();
            PortForward forward;
            try {
                forward = session.forward(process.port(), 0);
            } catch (IOException e) {
                process.kill(session, Duration.ZERO);
                throw new BootstrapException(BootstrapPhase.FORWARD, target.toString(), "cannot open the port forward: "
                        + e.getMessage(), e);
            }
            phases.put(BootstrapPhase.FORWARD, since(t));
            emit(command, BootstrapPhase.FORWARD, "127.0.0.1:" + forward.localPort() + " -> " + target.host()
                    + ":127.0.0.1:" + process.port());
            Map<BootstrapPhase, Duration> ordered = new LinkedHashMap<>(phases);
            BootstrapReport report = new BootstrapReport(target.toString(), up.bytesSent(), up.filesSent(),
                    up.filesCached(), java, ordered, since(t0));
            log.debug("node {} ready: {}", command.rank(), report);
            return new SshStartedAgent(target, session, process, forward, settings.reconnectWindow(), report,
                    artifacts.stream().map(a -> facts.home() + "/" + RemoteLayout.CACHE + "/" + a.cacheName()).toList());
        } catch (IOException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private void emit(AgentCommand command, BootstrapPhase phase, String message) {
        try {
            events.accept(new PoolEvent.NodeProgress(command.poolId(), command.rank(), phase.label(), message));
        } catch (RuntimeException e) {
            log.warn("progress listener failed", e);
        }
    }

    /** One phase: IO failures that are not already explained get the phase and host attached. */
    private static <T> T phase(SshSession s, BootstrapPhase phase, IoSupplier<T> body) throws IOException {
        try {
            return body.get();
        } catch (BootstrapException e) {
            throw e;
        } catch (IOException e) {
            throw new BootstrapException(phase, s.target().toString(), e.getMessage(), e);
        }
    }

    private static Duration since(long t) {
        return Duration.ofNanos(System.nanoTime() - t);
    }

    @FunctionalInterface
    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    /** The agent jar's hash is known from its extraction; hash it again only if the command names another file. */
    private static Artifact agentArtifact(Path jar) throws IOException {
        AgentJar known = AgentJar.get();
        return jar.equals(known.path()) ? new Artifact(jar, known.sha256(), known.size()) : Artifact.of(jar);
    }
}
