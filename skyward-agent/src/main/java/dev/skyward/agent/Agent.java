package dev.skyward.agent;

import dev.skyward.wire.Protocol;
import dev.skyward.wire.proto.AgentFrame;
import dev.skyward.wire.proto.AgentGrpc;
import dev.skyward.wire.proto.ClientFrame;
import dev.skyward.wire.proto.Execute;
import dev.skyward.wire.proto.HeartbeatAck;
import dev.skyward.wire.proto.InterruptionNotice;
import dev.skyward.wire.proto.Welcome;
import dev.skyward.wire.stream.ChunkLanding;
import dev.skyward.wire.stream.Outbox;
import dev.skyward.wire.stream.Payloads;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's agent: the gRPC server, the session state that survives reconnects (class loader,
 * running tasks, results waiting for a connection), and the lifecycle — including the dead-man's
 * switch that ends the agent when its client has gone quiet, and the hard TTL.
 */
final class Agent {

    /**
     * Made on first use, not with the class: the agent's start runs while SLF4J initialises on another
     * thread (see {@link AgentMain}), and a logger made here first would do that work on this one.
     */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    }
    /** How long a started agent waits for its client's first handshake, whatever the grace. */
    static final Duration FIRST_CONTACT = Duration.ofMinutes(2);

    private final AgentOptions options;
    private final String token;
    private final Link link = new Link();
    private final Map<Long, Upload> uploads = new ConcurrentHashMap<>();
    private final CountDownLatch exited = new CountDownLatch(1);
    private final AtomicBoolean exiting = new AtomicBoolean();
    private final long startNanos = System.nanoTime();
    private volatile long lastHeardNanos = System.nanoTime();
    /** Until the client's first handshake the grace does not apply: a loaded client may take long to connect. */
    private volatile boolean contacted;
    private ScheduledExecutorService watchdog;
    private SpotNoticeWatcher spotNotice;
    private SessionClassLoader loader;
    private ResourceClient resources;
    private TaskRunner runner;
    private Server server;
    private int exitCode;
    /**
     * Set when the agent gives up on its client: nobody is left to read how it ended, so its work
     * dir goes even where the launcher keeps it to report an exit (SSH nodes).
     */
    private volatile boolean clientGone;

    Agent(AgentOptions options, String token) {
        this.options = options;
        this.token = token;
    }

    /**
     * Starts the server and writes the port file.
     *
     * @param logging the thread that initialises SLF4J; the log keeps the {@code System.err} it finds
     *     at start-up, so it must be done before that stream is routed to the client
     */
    void start(Thread logging) throws IOException {
        Files.createDirectories(options.workDir());
        Files.createDirectories(options.cacheDir());
        resources = new ResourceClient(link, options.cacheDir());
        loader = new SessionClassLoader(Agent.class.getClassLoader(), resources, options.workDir().resolve("resources"));
        runner = new TaskRunner(loader, resources, link, AgentNodeContext.NodeFacts.fromEnvironment(options.rank(), System.getenv()));
        server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getByName(options.bind()), options.port()))
                .directExecutor()
                .maxInboundMessageSize(Protocol.MAX_FRAME)
                .flowControlWindow(Protocol.CHUNK_SIZE * 8)
                .permitKeepAliveTime(5, TimeUnit.SECONDS)
                .addService(ServerInterceptors.intercept(landingChunks(new AgentService(this).bindService()),
                        new TokenInterceptor(token)))
                .build();
        awaitUninterruptibly(logging);
        OutputCapture.install(link);
        server.start();
        writePortFile(server.getPort());
        runner.warmUp();
        watchdog = Executors.newSingleThreadScheduledExecutor(dev.skyward.wire.thread.DaemonThreads.named("skyward-watchdog"));
        watchdog.scheduleWithFixedDelay(this::checkAlive, 250, 250, TimeUnit.MILLISECONDS);
        if (options.spotNotice() != null) {
            // The link parks the notice while no client is connected: it goes out on the next session.
            spotNotice = new SpotNoticeWatcher(options.spotNotice(), options.spotPoll(), n -> link.send(
                    AgentFrame.newBuilder().setInterruption(InterruptionNotice.newBuilder().setAction(n.action())
                            .setTime(n.time()).setSource("EC2 spot instance-action")).build()));
            spotNotice.start();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::cleanUp, "skyward-agent-cleanup"));
    }

    private static void awaitUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    int port() {
        return server.getPort();
    }

    String poolId() {
        return options.poolId();
    }

    void awaitExit() throws InterruptedException {
        exited.await();
        System.exit(exitCode);
    }

    void configure(int concurrency) {
        runner.setConcurrency(concurrency);
        heard();
        contacted = true;
    }

    Welcome welcome() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown";
        }
        return Welcome.newBuilder()
                .setProtocolVersion(Protocol.VERSION)
                .setRank(options.rank())
                .setPid(ProcessHandle.current().pid())
                .setJavaVersion(Runtime.version().toString())
                .setHostname(host)
                .setAvailableProcessors(Runtime.getRuntime().availableProcessors())
                .setWorkDir(options.workDir().toString())
                .build();
    }

    void attach(Outbox<AgentFrame> outbox) {
        heard();
        link.attach(outbox);
    }

    void detach(Outbox<AgentFrame> outbox) {
        link.detach(outbox);
    }

    void onFrame(ClientFrame frame) {
        heard();
        switch (frame.getKindCase()) {
            case EXECUTE -> {
                Execute e = frame.getExecute();
                Payloads.Assembly a;
                try {
                    a = new Payloads.Assembly(e.getPayload(), e.getPayloadSize(), e.getArraySizesList());
                } catch (RuntimeException tooLarge) {
                    // Its chunks find no upload and are dropped.
                    runner.refuse(e.getTaskId(), new dev.skyward.SkywardException("node " + options.rank()
                            + " cannot receive task " + e.getTaskId() + ": " + tooLarge.getMessage()));
                    return;
                }
                if (a.isComplete()) {
                    runner.submit(e.getTaskId(), a.payload(), e.getStaticsList(), e.getClassesList(),
                            e.getSnippetGeneration(), e.getStreamWindow());
                } else {
                    uploads.put(e.getTaskId(), new Upload(e, a));
                }
            }
            case CHUNK -> {
                // A chunk that landed (see landingChunks) has no data here: add() only asks whether it completed.
                Upload u = uploads.get(frame.getChunk().getTaskId());
                if (u != null && u.assembly.add(frame.getChunk().getData())) {
                    uploads.remove(frame.getChunk().getTaskId());
                    runner.submit(u.execute.getTaskId(), u.assembly.payload(), u.execute.getStaticsList(),
                            u.execute.getClassesList(), u.execute.getSnippetGeneration(), u.execute.getStreamWindow());
                }
            }
            case CANCEL -> {
                uploads.remove(frame.getCancel().getTaskId());
                runner.cancel(frame.getCancel().getTaskId());
            }
            case DEMAND -> runner.demand(frame.getDemand().getTaskId(), frame.getDemand().getCount());
            case RESOURCE -> resources.onReply(frame.getResource());
            case HEARTBEAT -> link.send(AgentFrame.newBuilder().setHeartbeat(HeartbeatAck.newBuilder()
                    .setSentNanos(frame.getHeartbeat().getSentNanos())
                    .setRunning(runner.running())
                    .setQueued(runner.queued())).build());
            default -> Log.LOG.warn("ignoring unknown frame {}", frame.getKindCase());
        }
    }

    /** Tasks whose results the client will still receive on the current session. */
    Set<Long> knownTasks() {
        Set<Long> known = new HashSet<>(runner.ids());
        known.addAll(uploads.keySet());
        known.addAll(link.takeAnsweredSinceReattach());
        return known;
    }

    int cancelAll() {
        uploads.clear();
        return runner.cancelAll();
    }

    private void heard() {
        lastHeardNanos = System.nanoTime();
    }

    private void checkAlive() {
        long now = System.nanoTime();
        long silentMs = TimeUnit.NANOSECONDS.toMillis(now - lastHeardNanos);
        if (!contacted && silentMs > Math.max(options.heartbeatGrace().toMillis(), FIRST_CONTACT.toMillis())) {
            expire("the client never connected within " + FIRST_CONTACT.toSeconds() + " s of the agent's start");
        } else if (contacted && silentMs > options.heartbeatGrace().toMillis()) {
            expire("no word from the client for " + silentMs + " ms (heartbeat grace " + options.heartbeatGrace().toMillis()
                    + " ms; a client stopped at a breakpoint or asleep for longer looks dead)");
        } else if (options.ttl() != null && now - startNanos > options.ttl().toNanos()) {
            expire("its time to live of " + options.ttl() + " is over");
        }
    }

    private void expire(String why) {
        if (!exiting.get()) {
            Log.LOG.warn("agent rank {} gives up: {}", options.rank(), why);
            clientGone = true;
            uploads.clear();
            runner.abandonAll(why);
            // The hook runs after cleanUp, which ends every descendant: started before, it would be killed.
            runHookOnExit = options.onExpire() != null;
            exitSoon(why, Duration.ZERO, 3);
        }
    }

    private void runExpireHook() {
        try {
            Log.LOG.info("agent rank {} runs its on-expire command", options.rank());
            Process hook = new ProcessBuilder("/bin/sh", "-c", options.onExpire()).inheritIO().start();
            // Waited for (bounded) so its output reaches the log; a hook that powers the machine off
            // may never return.
            if (!hook.waitFor(60, TimeUnit.SECONDS)) {
                Log.LOG.warn("the on-expire command still runs after 60 s; leaving it running");
            } else if (hook.exitValue() != 0) {
                Log.LOG.error("the on-expire command exited {}", hook.exitValue());
            }
        } catch (IOException e) {
            Log.LOG.error("the on-expire command failed to start: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops serving: lets running tasks end within the grace period, cleans up, exits. */
    private volatile boolean runHookOnExit;

    void exitSoon(String reason, Duration grace, int code) {
        if (!exiting.compareAndSet(false, true)) {
            return;
        }
        exitCode = code;
        Thread t = new Thread(() -> {
            Log.LOG.info("agent rank {} stopping: {}", options.rank(), reason);
            try {
                runner.awaitIdle(Math.max(grace.toMillis(), 100));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server.shutdown();
            try {
                server.awaitTermination(500, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server.shutdownNow();
            cleanUp();
            if (runHookOnExit) {
                runExpireHook();
            }
            exited.countDown();
        }, "skyward-exit");
        t.setDaemon(false);
        t.start();
    }

    /** Ends every process a task started, and removes the work dir if asked. Safe to run twice. */
    private void cleanUp() {
        if (spotNotice != null) {
            spotNotice.close();
        }
        List<ProcessHandle> children = ProcessHandle.current().descendants().toList();
        children.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (ProcessHandle p : children) {
            while (p.isAlive() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            p.destroyForcibly();
        }
        if (options.removeWorkDirOnExit() || clientGone) {
            deleteTree(options.workDir());
        }
    }

    private void writePortFile(int port) throws IOException {
        Path file = options.portFile();
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // Named by pid rather than Files.createTempFile, whose random name seeds a SecureRandom (~15 ms of
        // the way to listening); one agent per pid, and the launcher waits for the final name only.
        Path tmp = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.writeString(tmp, Integer.toString(port), StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            Log.LOG.warn("could not remove {}: {}", root, e.toString());
        }
    }

    private record Upload(Execute execute, Payloads.Assembly assembly) {
    }

    /**
     * The service, its session's frames parsed by a {@link ChunkLanding}: a large argument's chunks go
     * from gRPC's buffers straight into the upload's arrays, with no 1 MiB {@code ByteString} per chunk.
     */
    private ServerServiceDefinition landingChunks(ServerServiceDefinition service) {
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
        String session = AgentGrpc.getSessionMethod().getFullMethodName();
        for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
            if (m.getMethodDescriptor().getFullMethodName().equals(session)) {
                @SuppressWarnings("unchecked")
                ServerMethodDefinition<ClientFrame, AgentFrame> s = (ServerMethodDefinition<ClientFrame, AgentFrame>) m;
                MethodDescriptor<ClientFrame, AgentFrame> plain = s.getMethodDescriptor();
                b.addMethod(plain.toBuilder(new ChunkLanding<>(plain.getRequestMarshaller(),
                        c -> ClientFrame.newBuilder().setChunk(c).build(), this::landing), plain.getResponseMarshaller())
                        .build(), s.getServerCallHandler());
            } else {
                b.addMethod(m);
            }
        }
        return b.build();
    }

    /** Where a chunk of task {@code id}'s argument goes, on gRPC's thread; null drops it. */
    private Payloads.Assembly landing(long id) {
        Upload u = uploads.get(id);
        return u == null ? null : u.assembly();
    }
}
