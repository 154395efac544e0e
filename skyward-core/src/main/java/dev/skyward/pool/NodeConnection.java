package dev.skyward.pool;

import dev.skyward.NodeInfo;
import dev.skyward.NodeLostException;
import dev.skyward.OutputLine;
import dev.skyward.OutputListener;
import dev.skyward.classload.CodeServer;
import dev.skyward.node.StartedAgent;
import dev.skyward.wire.Protocol;
import dev.skyward.wire.proto.AgentFrame;
import dev.skyward.wire.proto.AgentGrpc;
import dev.skyward.wire.proto.Cancel;
import dev.skyward.wire.proto.ClientFrame;
import dev.skyward.wire.proto.Execute;
import dev.skyward.wire.proto.Heartbeat;
import dev.skyward.wire.proto.Hello;
import dev.skyward.wire.proto.Output;
import dev.skyward.wire.proto.Result;
import dev.skyward.wire.proto.ShutdownRequest;
import dev.skyward.wire.proto.StaticSnapshot;
import dev.skyward.wire.proto.Welcome;
import dev.skyward.wire.stream.Outbox;
import dev.skyward.wire.stream.Payloads;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.CallStreamObserver;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's side of one node: a gRPC channel to its agent, one session stream carrying every
 * task, result, output line, code request and heartbeat, and the tasks in flight there, by id.
 */
final class NodeConnection {

    private static final Logger LOG = LoggerFactory.getLogger(NodeConnection.class);

    private final NodeInfo info;
    private final StartedAgent agent;
    private final String poolId;
    private final String token;
    private final CodeServer code;
    private final Executor codeExecutor;
    private final OutputListener output;
    private final Outbox<ClientFrame> outbox = new Outbox<>();
    private final Map<Long, PendingTask> pending = new ConcurrentHashMap<>();
    private final Map<String, byte[]> staticsSent = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private ManagedChannel channel;
    private AgentGrpc.AgentBlockingStub blocking;
    private volatile Welcome welcome;
    private volatile Throwable lostCause;
    private volatile boolean closing;

    NodeConnection(NodeInfo info, StartedAgent agent, String poolId, String token, CodeServer code,
            Executor codeExecutor, OutputListener output) {
        this.info = info;
        this.agent = agent;
        this.poolId = poolId;
        this.token = token;
        this.code = code;
        this.codeExecutor = codeExecutor;
        this.output = output;
    }

    /** Opens the channel, checks protocol and token, and starts the session stream. */
    void connect(int concurrency, Duration timeout) {
        Metadata headers = new Metadata();
        headers.put(Protocol.TOKEN_HEADER, token);
        channel = NettyChannelBuilder.forAddress(agent.host(), agent.port())
                .usePlaintext()
                .directExecutor()
                .maxInboundMessageSize(Protocol.MAX_FRAME)
                .flowControlWindow(Protocol.CHUNK_SIZE * 8)
                .intercept(MetadataUtils.newAttachHeadersInterceptor(headers))
                .build();
        blocking = AgentGrpc.newBlockingStub(channel);
        welcome = blocking.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handshake(Hello.newBuilder().setProtocolVersion(Protocol.VERSION).setPoolId(poolId)
                        .setConcurrency(concurrency).build());
        StreamObserver<ClientFrame> requests = AgentGrpc.newStub(channel).session(new Inbound());
        outbox.attach((CallStreamObserver<ClientFrame>) requests);
    }

    NodeInfo info() {
        return info;
    }

    int rank() {
        return info.rank();
    }

    Welcome welcome() {
        return welcome;
    }

    int inFlight() {
        return inFlight.get();
    }

    boolean isLost() {
        return lostCause != null;
    }

    Map<String, byte[]> staticsSent() {
        return staticsSent;
    }

    /** Sends a task; its result or failure completes the returned task's future. */
    PendingTask send(long id, byte[] payload, List<StaticSnapshot> statics, ClassLoader loader) {
        PendingTask p = new PendingTask(id, info.rank(), loader);
        pending.put(id, p);
        inFlight.incrementAndGet();
        Throwable lost = lostCause;
        if (lost != null) {
            fail(p, lost(lost));
            return p;
        }
        Execute.Builder e = Execute.newBuilder().setTaskId(id).addAllStatics(statics);
        if (Payloads.inline(payload.length)) {
            outbox.send(ClientFrame.newBuilder().setExecute(e.setPayload(Payloads.wrap(payload))).build());
        } else {
            outbox.send(ClientFrame.newBuilder().setExecute(e.setPayloadSize(payload.length)).build());
            Payloads.chunk(id, payload, c -> outbox.send(ClientFrame.newBuilder().setChunk(c).build()));
        }
        return p;
    }

    /** Asks the agent to interrupt a task; its pending entry is dropped. */
    void cancel(long id) {
        PendingTask p = pending.remove(id);
        if (p != null) {
            inFlight.decrementAndGet();
            outbox.send(ClientFrame.newBuilder().setCancel(Cancel.newBuilder().setTaskId(id)).build());
        }
    }

    void heartbeat() {
        outbox.send(ClientFrame.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSentNanos(System.nanoTime())).build());
    }

    /** Fails every task in flight here with the exception {@code why} makes for it. */
    void failAll(Function<PendingTask, ? extends Throwable> why) {
        closing = true;
        for (PendingTask p : List.copyOf(pending.values())) {
            fail(p, why.apply(p));
        }
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

    private void complete(PendingTask p, byte[] bytes) {
        if (pending.remove(p.id) != null) {
            inFlight.decrementAndGet();
        }
        p.raw.complete(bytes);
    }

    private void fail(PendingTask p, Throwable t) {
        if (pending.remove(p.id) != null) {
            inFlight.decrementAndGet();
        }
        p.raw.completeExceptionally(t);
    }

    private NodeLostException lost(Throwable cause) {
        return new NodeLostException(info.rank(), "node " + info.rank() + " (" + info.address() + ", " + agent
                + ") stopped answering: " + cause.getMessage(), cause);
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
                } else if (r.getValueSize() > 0 && r.getValue().isEmpty()) {
                    p.expect(r.getValueSize());
                } else {
                    complete(p, r.getValue().toByteArray());
                }
            }
            case CHUNK -> {
                PendingTask p = pending.get(frame.getChunk().getTaskId());
                if (p != null && p.add(frame.getChunk().getData())) {
                    complete(p, p.assembled());
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
            default -> LOG.debug("ignoring frame {}", frame.getKindCase());
        }
    }

    private void onLost(Throwable cause) {
        if (closing) {
            return;
        }
        lostCause = cause;
        LOG.warn("lost node {}: {}", info.rank(), cause.toString());
        outbox.abandon();
        for (PendingTask p : List.copyOf(pending.values())) {
            fail(p, lost(cause));
        }
    }

    /** Receives the agent's frames, on gRPC's transport thread: must not block. */
    private final class Inbound implements ClientResponseObserver<ClientFrame, AgentFrame> {
        @Override
        public void beforeStart(ClientCallStreamObserver<ClientFrame> requests) {
            requests.setOnReadyHandler(outbox::drain);
        }

        @Override
        public void onNext(AgentFrame frame) {
            onFrame(frame);
        }

        @Override
        public void onError(Throwable t) {
            onLost(t);
        }

        @Override
        public void onCompleted() {
            onLost(new IllegalStateException("the agent ended the session"));
        }
    }
}
