package dev.skyward.pool;

import dev.skyward.NodeInfo;
import dev.skyward.NodeLostException;
import dev.skyward.OutputLine;
import dev.skyward.OutputListener;
import dev.skyward.SkywardException;
import dev.skyward.classload.CodeServer;
import dev.skyward.classload.SnippetStatics;
import dev.skyward.node.StartedAgent;
import dev.skyward.wire.NettyTuning;
import dev.skyward.wire.Protocol;
import dev.skyward.wire.proto.AgentFrame;
import dev.skyward.wire.proto.AgentGrpc;
import dev.skyward.wire.proto.Cancel;
import dev.skyward.wire.proto.Chunk;
import dev.skyward.wire.proto.Demand;
import dev.skyward.wire.proto.ClientFrame;
import dev.skyward.wire.proto.Execute;
import dev.skyward.wire.proto.Heartbeat;
import dev.skyward.wire.proto.Hello;
import dev.skyward.wire.proto.InterruptionNotice;
import dev.skyward.wire.proto.Output;
import dev.skyward.wire.proto.Result;
import dev.skyward.wire.proto.ShutdownRequest;
import dev.skyward.wire.proto.TasksRequest;
import dev.skyward.wire.serial.Payload;
import dev.skyward.wire.stream.ChunkLanding;
import dev.skyward.wire.stream.Outbox;
import dev.skyward.wire.stream.Payloads;
import dev.skyward.wire.thread.DaemonThreads;
import io.grpc.CallOptions;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.CallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's side of one node: a gRPC channel to its agent, one session stream carrying every
 * task, result, output line, code request and heartbeat, and the tasks in flight there, by id.
 */
final class NodeConnection {

    private static final Logger LOG = LoggerFactory.getLogger(NodeConnection.class);

    static {
        NettyTuning.forClient();
    }

    private final NodeInfo info;
    private final StartedAgent agent;
    private final String poolId;
    private final String token;
    private final CodeServer code;
    private final Executor codeExecutor;
    private final OutputListener output;
    private final Duration reconnectWindow;
    private final ClientPause pause;
    private final Consumer<NodeInfo> lostListener;
    private final AtomicInteger sessions = new AtomicInteger();
    private volatile Outbox<ClientFrame> outbox = new Outbox<>();
    private boolean reconnecting;
    private final Map<Long, PendingTask> pending = new ConcurrentHashMap<>();
    private final SnippetStatics.NodeState snippets = new SnippetStatics.NodeState();
    private final AtomicInteger inFlight = new AtomicInteger();
    private ManagedChannel channel;
    private AgentGrpc.AgentBlockingStub blocking;
    private volatile Throwable lostCause;
    /** Why the node was lost, in full, once it was. */
    private volatile String lostReason;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile boolean closing;
    /** Why the node takes no new work (its cloud announced it will take the machine), once it does. */
    private volatile String drainingReason;
    private volatile Consumer<Interruption> interruptionListener = n -> { };

    /**
     * The cloud's notice that it will take this node's machine away.
     *
     * @param action {@code terminate}, {@code stop} or {@code hibernate}
     * @param time when, or {@code null} when the notice did not say
     * @param source where the notice came from, e.g. {@code EC2 spot instance-action}
     */
    record Interruption(String action, Instant time, String source) {

        /** A sentence for logs and the node's state. */
        String describe() {
            return source + ": the cloud will " + action + " the machine" + (time != null ? " at " + time : "");
        }
    }

    /**
     * @param reconnectWindow the heartbeat grace: how long a broken session may take to come back,
     *     and how long the agent may stay silent before the node counts as lost
     * @param pause tells whether this client itself stood still, which explains a loss
     * @param lostListener told once when the node is lost, with its info (reason set)
     */
    NodeConnection(NodeInfo info, StartedAgent agent, String poolId, String token, CodeServer code,
            Executor codeExecutor, OutputListener output, Duration reconnectWindow, ClientPause pause,
            Consumer<NodeInfo> lostListener) {
        this.reconnectWindow = reconnectWindow;
        this.pause = pause;
        this.lostListener = lostListener;
        this.info = info;
        this.agent = agent;
        this.poolId = poolId;
        this.token = token;
        this.code = code;
        this.codeExecutor = codeExecutor;
        this.output = output;
    }

    private static final AtomicBoolean WARMED = new AtomicBoolean();

    /**
     * Loads and initialises the client transport (Netty, gRPC's channel, the protocol's messages), once
     * per JVM, for a caller that does it while the first agents boot: otherwise ~300 ms of it (on a
     * 2-core machine) runs after an agent is listening, between it and the first handshake. The channel
     * it builds connects to a listener of its own on loopback, which answers only the HTTP/2 settings
     * that make the channel ready, takes one call's first bytes and closes; nothing leaves the machine
     * and nothing stays open.
     */
    static void warmUpTransport() {
        if (WARMED.compareAndSet(false, true)) {
            warmUpConnection();
        }
    }

    /**
     * What {@link #warmUpTransport} did: the loopback port its listener had, and the HTTP/2 frame types
     * the channel sent it after its preface, in order (4 settings, 8 window update, 1 headers, 0 data).
     */
    record WarmUp(int port, List<Integer> framesReceived) {
    }

    static WarmUp warmUpConnection() {
        int port = -1;
        List<Integer> received = List.of();
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(WARM_UP_WAIT_MS);
            port = listener.getLocalPort();
            ManagedChannel c = channelTo(InetAddress.getLoopbackAddress().getHostAddress(), port)
                    .build();
            Socket peer = null;
            try {
                c.getState(true);
                peer = listener.accept();
                peer.setSoTimeout(WARM_UP_WAIT_MS);
                peer.getOutputStream().write(HTTP2_EMPTY_SETTINGS);
                if (awaitReady(c)) {
                    // One call's headers and message through the codec, as the first handshake will.
                    ClientCalls.futureUnaryCall(c.newCall(AgentGrpc.getHandshakeMethod(), CallOptions.DEFAULT),
                            Hello.newBuilder().setProtocolVersion(Protocol.VERSION).build());
                    peer.setSoTimeout(WARM_UP_QUIET_MS);
                    received = drain(peer.getInputStream());
                }
            } finally {
                // The channel first, so it does not see its peer go and try again.
                c.shutdownNow();
                if (peer != null) {
                    peer.close();
                }
            }
            // The stub classes and the frames every session builds; a stub does no I/O, so the closed
            // channel serves.
            AgentGrpc.newBlockingStub(c);
            AgentGrpc.newStub(c);
            ClientFrame.newBuilder().setExecute(Execute.newBuilder().setTaskId(1).setPayload(Payloads.wrap(new byte[8])))
                    .build().toByteArray();
            ClientFrame.newBuilder().setChunk(Chunk.newBuilder().setTaskId(1)).build().toByteArray();
            AgentFrame.getDefaultInstance().toByteArray();
            // Netty's pooled buffers (and the leak detector that samples them) on the first send's path.
            io.grpc.netty.shaded.io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(256).release();
        } catch (IOException | RuntimeException | LinkageError e) {
            // Only a head start; the first connection does it anyway.
            LOG.debug("transport warm-up stopped early", e);
        }
        return new WarmUp(port, received);
    }

    private static final int WARM_UP_WAIT_MS = 2_000;
    /** An HTTP/2 SETTINGS frame with no settings: length 0, type 4, no flags, stream 0. */
    private static final byte[] HTTP2_EMPTY_SETTINGS = {0, 0, 0, 4, 0, 0, 0, 0, 0};

    private static final int WARM_UP_QUIET_MS = 100;

    private static boolean awaitReady(ManagedChannel c) {
        CountDownLatch ready = new CountDownLatch(1);
        whenReady(c, ready);
        try {
            return ready.await(WARM_UP_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void whenReady(ManagedChannel c, CountDownLatch ready) {
        ConnectivityState now = c.getState(false);
        if (now == ConnectivityState.READY) {
            ready.countDown();
        } else if (now != ConnectivityState.SHUTDOWN) {
            c.notifyWhenStateChanged(now, () -> whenReady(c, ready));
        }
    }

    /**
     * Reads until the client's bytes pause for {@link #WARM_UP_QUIET_MS}; returns the types of the
     * frames after the 24-byte connection preface.
     */
    private static List<Integer> drain(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                bytes.write(buf, 0, n);
            }
        } catch (java.net.SocketTimeoutException e) {
            // it has said all it will
        }
        byte[] all = bytes.toByteArray();
        List<Integer> types = new java.util.ArrayList<>();
        for (int at = 24; at + 9 <= all.length; ) {
            int length = (all[at] & 0xff) << 16 | (all[at + 1] & 0xff) << 8 | (all[at + 2] & 0xff);
            types.add(all[at + 3] & 0xff);
            at += 9 + length;
        }
        return types;
    }

    /** The channel every connection uses; the warm-up builds the same so the same classes load. */
    private static NettyChannelBuilder channelTo(String host, int port) {
        return NettyChannelBuilder.forAddress(host, port)
                .usePlaintext()
                .directExecutor()
                .maxInboundMessageSize(Protocol.MAX_FRAME)
                .flowControlWindow(Protocol.CHUNK_SIZE * 8);
    }

    /** Opens the channel, checks protocol and token, and starts the session stream. */
    void connect(int concurrency, Duration timeout) {
        Metadata headers = new Metadata();
        headers.put(Protocol.TOKEN_HEADER, token);
        channel = channelTo(agent.host(), agent.port())
                .intercept(MetadataUtils.newAttachHeadersInterceptor(headers))
                .build();
        blocking = AgentGrpc.newBlockingStub(channel);
        blocking.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handshake(Hello.newBuilder().setProtocolVersion(Protocol.VERSION).setPoolId(poolId)
                        .setConcurrency(concurrency).build());
        lastHeardNanos = System.nanoTime();
        openSession();
        agent.exited().thenAccept(how -> lose("is gone: " + how, null));
    }

    /**
     * Opens a session stream and makes it the one everything is sent on. Its frames are parsed by a
     * {@link ChunkLanding}: a result's chunks go from gRPC's buffers straight into the task's result
     * array, so receiving a 1 GiB result makes no 1 GiB of chunk garbage on the way.
     */
    private Inbound openSession() {
        Inbound inbound = new Inbound(sessions.incrementAndGet(), outbox);
        MethodDescriptor<ClientFrame, AgentFrame> plain = AgentGrpc.getSessionMethod();
        MethodDescriptor<ClientFrame, AgentFrame> session = plain.toBuilder(plain.getRequestMarshaller(),
                new ChunkLanding<>(plain.getResponseMarshaller(), NodeConnection::chunkFrame, this::landing)).build();
        StreamObserver<ClientFrame> requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(session,
                CallOptions.DEFAULT.withWaitForReady().withOnReadyThreshold(Protocol.ON_READY_THRESHOLD)), inbound);
        inbound.outbox.attach((CallStreamObserver<ClientFrame>) requests);
        return inbound;
    }

    private static AgentFrame chunkFrame(Chunk landed) {
        return AgentFrame.newBuilder().setChunk(landed).build();
    }

    /** Where a chunk of task {@code id}'s result goes, on gRPC's thread; null drops it. */
    private Payloads.Assembly landing(long id) {
        PendingTask p = pending.get(id);
        return p == null ? null : p.landing();
    }

    /** The node as the user sees it: lost, with the reason, once it is. */
    NodeInfo info() {
        String why = lostReason;
        return why == null ? info : info.lost(why);
    }

    int rank() {
        return info.rank();
    }

    int inFlight() {
        return inFlight.get();
    }

    boolean isLost() {
        return lostCause != null;
    }

    /** Whether the node takes no new work that could go elsewhere: its machine is about to go. */
    boolean isDraining() {
        return drainingReason != null;
    }

    /** Why the node is draining, or {@code null}. */
    String drainingReason() {
        return drainingReason;
    }

    /** From now on the scheduler sends nothing here; tasks already here go on. Only the first reason counts. */
    synchronized void drain(String why) {
        if (drainingReason == null) {
            drainingReason = why;
            LOG.warn("node {} drains: {}", info.rank(), why);
        }
    }

    /** Told, on a pool thread, when the agent reports an interruption notice. Set before connect. */
    void onInterruption(Consumer<Interruption> listener) {
        this.interruptionListener = listener;
    }

    /** What this node holds of the client's JShell snippets; lock it while preparing and sending a task. */
    SnippetStatics.NodeState snippets() {
        return snippets;
    }

    /** Sends a task; its result or failure completes the returned task's future. */
    PendingTask send(long id, Payload payload, SnippetStatics.Shipment snippets, ClassLoader loader) {
        return send(new PendingTask(id, info.rank(), loader), payload, snippets, 0);
    }

    /**
     * Sends a task whose returned elements stream back, at most {@code streamWindow} ahead of
     * {@link #demand}; each arrives at {@code p}'s element receiver, in order, before its result.
     */
    PendingTask send(PendingTask p, Payload payload, SnippetStatics.Shipment snippets, int streamWindow) {
        long id = p.id;
        pending.put(id, p);
        inFlight.incrementAndGet();
        Throwable lost = lostCause;
        if (lost != null) {
            fail(p, new NotSent(lost(lost)));
            return p;
        }
        // Empty lists are not added: protobuf makes a mutable list for each addAll, on every call.
        Execute.Builder e = Execute.newBuilder().setTaskId(id).setSnippetGeneration(snippets.generation())
                .setStreamWindow(streamWindow);
        if (!snippets.statics().isEmpty()) {
            e.addAllStatics(snippets.statics());
        }
        if (!snippets.classes().isEmpty()) {
            e.addAllClasses(snippets.classes());
        }
        if (!payload.arrays().isEmpty()) {
            e.addAllArraySizes(Payloads.arraySizes(payload));
        }
        Outbox<ClientFrame> out = outbox; // one session carries all of a task's frames
        byte[] bytes = payload.bytes();
        boolean inline = Payloads.inline(bytes.length);
        if (inline) {
            e.setPayload(Payloads.wrap(bytes));
        } else {
            e.setPayloadSize(bytes.length);
        }
        out.send(ClientFrame.newBuilder().setExecute(e).build());
        Payloads.chunk(id, payload, inline, c -> out.send(ClientFrame.newBuilder().setChunk(c).build()));
        return p;
    }

    /** Asks the agent to interrupt a task; its pending entry is dropped. */
    void cancel(long id) {
        PendingTask p = pending.remove(id);
        if (p != null) {
            p.release();
            inFlight.decrementAndGet();
            outbox.send(ClientFrame.newBuilder().setCancel(Cancel.newBuilder().setTaskId(id)).build());
        }
    }

    /** The consumer took {@code count} more elements of a streamed task: the node may produce that many more. */
    void demand(long id, int count) {
        if (pending.containsKey(id)) {
            outbox.send(ClientFrame.newBuilder().setDemand(Demand.newBuilder().setTaskId(id).setCount(count)).build());
        }
    }

    /**
     * Sends a heartbeat, and gives the node up when nothing came back for the whole grace: a frozen
     * or unreachable machine keeps its socket open, so only silence tells (the agent, hearing nothing
     * either, stops itself after the same grace).
     */
    void heartbeat() {
        outbox.send(ClientFrame.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSentNanos(System.nanoTime())).build());
        long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastHeardNanos);
        boolean waiting;
        synchronized (this) {
            waiting = reconnecting || closing || lostCause != null;
        }
        if (!waiting && silentMs > reconnectWindow.toMillis()) {
            lose(String.format(java.util.Locale.ROOT, "did not answer heartbeats for %.1f s (the heartbeat grace is %s)",
                    silentMs / 1000.0, ClientPause.seconds(reconnectWindow)), null);
        }
    }

    /** Fails every task in flight here with the exception {@code why} makes for it. */
    void failAll(Function<PendingTask, ? extends Throwable> why) {
        closing = true;
        for (PendingTask p : List.copyOf(pending.values())) {
            fail(p, why.apply(p));
        }
    }

    /**
     * Gives the node up although its connection works, e.g. after failed health checks: as for any
     * loss, its tasks fail with {@link NodeLostException} and the pool's listeners hear {@code what}.
     */
    void markLost(String what) {
        lose(what, null);
    }

    /** The agent process (or remote agent) behind this connection. */
    StartedAgent agent() {
        return agent;
    }

    /** Asks the agent to stop; false when it could not be reached (it may be gone already). */
    boolean shutdownAgent(String reason, Duration grace) {
        try {
            blocking.withDeadlineAfter(2, TimeUnit.SECONDS).shutdown(ShutdownRequest.newBuilder().setReason(reason)
                    .setGraceMillis(grace.toMillis()).build());
            return true;
        } catch (RuntimeException e) {
            LOG.debug("node {} did not take the shutdown request: {}", info.rank(), e.toString());
            return false;
        }
    }

    void close() {
        closing = true;
        outbox.complete();
        if (channel != null) {
            channel.shutdown();
            try {
                if (!channel.awaitTermination(1, TimeUnit.SECONDS)) {
                    channel.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                channel.shutdownNow();
            }
        }
    }

    private void complete(PendingTask p, Payload bytes) {
        if (pending.remove(p.id) != null) {
            inFlight.decrementAndGet();
        }
        p.release();
        p.raw.complete(bytes);
    }

    private void fail(PendingTask p, Throwable t) {
        if (pending.remove(p.id) != null) {
            inFlight.decrementAndGet();
        }
        p.release();
        p.raw.completeExceptionally(t);
    }

    private NodeLostException lost(Throwable cause) {
        String why = lostReason;
        return new NodeLostException(info.rank(), why != null ? why : describe("stopped answering: " + cause.getMessage()),
                cause);
    }

    private String describe(String what) {
        return "node " + info.rank() + " (" + info.address() + ", " + agent + ") " + what + pause.explain();
    }

    /**
     * The node is gone for good: every task in flight fails with {@link NodeLostException} saying
     * {@code what} happened, new ones fail at once, and the pool's listeners hear of it. Only the
     * first reason counts (an exit seen by the launcher usually also breaks the stream).
     */
    private void lose(String what, Throwable cause) {
        String why;
        synchronized (this) {
            if (closing || lostCause != null) {
                return;
            }
            why = describe(what);
            lostReason = why;
            lostCause = cause != null ? cause : new IllegalStateException(why);
        }
        LOG.warn("lost {}", why);
        outbox.abandon();
        // Listeners first: a caller whose task fails may look at the pool's events at once.
        try {
            lostListener.accept(info());
        } catch (RuntimeException e) {
            LOG.warn("a listener failed on the loss of node {}", info.rank(), e);
        }
        for (PendingTask p : List.copyOf(pending.values())) {
            fail(p, lost(lostCause));
        }
    }

    private void onFrame(AgentFrame frame) {
        switch (frame.getKindCase()) {
            case RESULT -> {
                Result r = frame.getResult();
                PendingTask p = pending.get(r.getTaskId());
                if (p == null) {
                    return;
                }
                if (r.hasError()) {
                    fail(p, new RemoteFailure(r.getError()));
                    return;
                }
                Payloads.Assembly a;
                try {
                    a = new Payloads.Assembly(r.getValue(), r.getValueSize(), r.getArraySizesList());
                } catch (SkywardException tooLarge) {
                    // Its chunks find no task and are dropped; the node has sent the result already.
                    fail(p, new SkywardException("the result of task " + p.id + " from node " + info.rank()
                            + " cannot be received: " + tooLarge.getMessage(), tooLarge.getCause()));
                    return;
                }
                if (a.isComplete()) {
                    complete(p, a.payload());
                } else {
                    p.expect(a);
                }
            }
            case CHUNK -> {
                // A chunk that landed (see openSession) has no data here: add() only asks whether it completed.
                PendingTask p = pending.get(frame.getChunk().getTaskId());
                if (p == null) {
                    return;
                }
                boolean done;
                try {
                    done = p.add(frame.getChunk().getData());
                } catch (IllegalStateException overflow) {
                    fail(p, new SkywardException("the result of task " + p.id + " from node " + info.rank()
                            + " cannot be received: " + overflow.getMessage(), overflow));
                    return;
                }
                Payload result = done ? p.assembled() : null;
                if (result != null) {
                    complete(p, result);
                }
            }
            case ELEMENT -> {
                PendingTask p = pending.get(frame.getElement().getTaskId());
                if (p != null && p.elements != null) {
                    p.elements.accept(frame.getElement());
                }
            }
            case OUTPUT -> {
                Output o = frame.getOutput();
                OutputLine.Stream s = o.getStream() == Output.Stream.STDERR ? OutputLine.Stream.STDERR
                        : OutputLine.Stream.STDOUT;
                for (String line : o.getLinesList()) {
                    try {
                        output.onLine(new OutputLine(info.rank(), o.getTaskId(), s, line));
                    } catch (RuntimeException e) {
                        LOG.warn("output listener failed", e);
                    }
                }
            }
            case RESOURCE -> codeExecutor.execute(() -> code.handle(frame.getResource(),
                    reply -> outbox.send(ClientFrame.newBuilder().setResource(reply).build())));
            case HEARTBEAT -> {
                // Arrival is what matters: the stream is alive. Load figures are informational.
            }
            case INTERRUPTION -> {
                InterruptionNotice n = frame.getInterruption();
                Interruption notice = new Interruption(n.getAction(), instant(n.getTime()), n.getSource());
                // Off gRPC's thread: the pool's listeners may run tasks (a checkpoint), whose results come on it.
                try {
                    codeExecutor.execute(() -> {
                        try {
                            interruptionListener.accept(notice);
                        } catch (RuntimeException e) {
                            LOG.warn("a listener failed on the interruption notice of node {}", info.rank(), e);
                        }
                    });
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    LOG.debug("node {}: interruption notice while the pool closes", info.rank());
                }
            }
            default -> LOG.debug("ignoring frame {}", frame.getKindCase());
        }
    }

    private static Instant instant(String iso) {
        try {
            return iso.isEmpty() ? null : Instant.parse(iso);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * The session stream broke. If the agent can be reached again (an SSH tunnel re-opened), a new
     * session takes over: tasks the agent still knows finish normally, the others fail as lost. If not,
     * every task in flight fails with {@link NodeLostException}. Never on gRPC's thread: it waits.
     */
    private void onLost(int session, Throwable cause) {
        Set<Long> inFlightThen;
        synchronized (this) {
            if (closing || lostCause != null || reconnecting || session != sessions.get()) {
                return;
            }
            reconnecting = true;
            Outbox<ClientFrame> broken = outbox;
            outbox = new Outbox<>(); // new tasks wait here for the next session
            broken.abandon();
            inFlightThen = Set.copyOf(pending.keySet());
        }
        LOG.warn("connection to node {} broke ({}); trying to reconnect for up to {} s", info.rank(), cause.toString(),
                reconnectWindow.toSeconds());
        DaemonThreads.start(() -> reconnect(cause, inFlightThen), "skyward-reconnect-" + info.rank());
    }

    private void reconnect(Throwable cause, Set<Long> inFlightThen) {
        try {
            // Reachable is not enough: over SSH the tunnel stays up when the agent behind it died.
            if (!closing && agent.awaitReachable(reconnectWindow) && agent.isAlive()) {
                channel.resetConnectBackoff();
                Inbound inbound = openSession();
                // An agent that exits meanwhile never opens the session: stop waiting then.
                CompletableFuture.anyOf(inbound.live, agent.exited()).get(30, TimeUnit.SECONDS);
                if (agent.exited().isDone()) {
                    synchronized (this) {
                        reconnecting = false;
                    }
                    lose("is gone: " + agent.exited().join(), null);
                    return;
                }
                Set<Long> known = Set.copyOf(blocking.withDeadlineAfter(10, TimeUnit.SECONDS)
                        .tasks(TasksRequest.getDefaultInstance()).getKnownList());
                for (long id : inFlightThen) {
                    PendingTask p = pending.get(id);
                    if (p != null && !known.contains(id)) {
                        fail(p, lost(new IllegalStateException("task " + id
                                + " was lost with the connection (the node is back, but the task or its result is not)")));
                    }
                }
                LOG.info("node {} reconnected", info.rank());
                synchronized (this) {
                    reconnecting = false;
                }
                return;
            }
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
        synchronized (this) {
            reconnecting = false;
        }
        CompletableFuture<String> exit = agent.exited();
        if (!agent.isAlive()) {
            try {
                exit.get(2, TimeUnit.SECONDS); // the launcher's account is a moment behind the process
            } catch (Exception notWatched) {
                // this launcher cannot tell how it ended
            }
        }
        if (exit.isDone() && !exit.isCompletedExceptionally()) {
            lose("is gone: " + exit.join(), null);
        } else if (!agent.isAlive()) {
            lose("is gone: its agent process is no longer running (" + cause.getMessage() + ")", cause);
        } else {
            lose("stopped answering: " + cause.getMessage(), cause);
        }
    }

    /** Receives one session's frames, on gRPC's transport thread: must not block. */
    private final class Inbound implements ClientResponseObserver<ClientFrame, AgentFrame> {
        private final int session;
        private final Outbox<ClientFrame> outbox;
        private final CompletableFuture<Void> live = new CompletableFuture<>();

        Inbound(int session, Outbox<ClientFrame> outbox) {
            this.session = session;
            this.outbox = outbox;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<ClientFrame> requests) {
            requests.setOnReadyHandler(outbox::drain);
        }

        @Override
        public void onNext(AgentFrame frame) {
            lastHeardNanos = System.nanoTime();
            live.complete(null);
            onFrame(frame);
        }

        @Override
        public void onError(Throwable t) {
            live.completeExceptionally(t);
            onLost(session, t);
        }

        @Override
        public void onCompleted() {
            IllegalStateException ended = new IllegalStateException("the agent ended the session");
            live.completeExceptionally(ended);
            onLost(session, ended);
        }
    }

    /** A task refused because the node was lost before it was sent: it never ran anywhere. */
    static final class NotSent extends NodeLostException {
        private static final long serialVersionUID = 1L;

        NotSent(NodeLostException lost) {
            super(lost.rank(), lost.getMessage(), lost.getCause());
        }
    }
}
