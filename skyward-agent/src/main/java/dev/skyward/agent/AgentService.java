package dev.skyward.agent;

import dev.skyward.wire.Protocol;
import dev.skyward.wire.proto.AgentFrame;
import dev.skyward.wire.proto.AgentGrpc;
import dev.skyward.wire.proto.ClientFrame;
import dev.skyward.wire.proto.Hello;
import dev.skyward.wire.proto.ShutdownReply;
import dev.skyward.wire.proto.ShutdownRequest;
import dev.skyward.wire.proto.TasksReply;
import dev.skyward.wire.proto.TasksRequest;
import dev.skyward.wire.proto.Welcome;
import dev.skyward.wire.stream.Outbox;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;

/** The gRPC face of the agent; all state lives in {@link Agent}. */
final class AgentService extends AgentGrpc.AgentImplBase {

    private final Agent agent;

    AgentService(Agent agent) {
        this.agent = agent;
    }

    @Override
    public void handshake(Hello hello, StreamObserver<Welcome> reply) {
        if (hello.getProtocolVersion() != Protocol.VERSION) {
            reply.onError(Status.FAILED_PRECONDITION.withDescription("protocol version " + hello.getProtocolVersion()
                    + " is not supported by this agent (it speaks " + Protocol.VERSION
                    + "); use the same Skyward version on client and nodes").asRuntimeException());
            return;
        }
        if (!hello.getPoolId().equals(agent.poolId())) {
            reply.onError(Status.FAILED_PRECONDITION.withDescription("this agent serves pool " + agent.poolId()
                    + ", not " + hello.getPoolId()).asRuntimeException());
            return;
        }
        agent.configure(hello.getConcurrency());
        reply.onNext(agent.welcome());
        reply.onCompleted();
    }

    @Override
    public StreamObserver<ClientFrame> session(StreamObserver<AgentFrame> responses) {
        ServerCallStreamObserver<AgentFrame> call = (ServerCallStreamObserver<AgentFrame>) responses;
        Outbox<AgentFrame> outbox = new Outbox<>();
        call.setOnReadyThreshold(Protocol.ON_READY_THRESHOLD);
        call.setOnReadyHandler(outbox::drain);
        call.setOnCancelHandler(() -> {
            outbox.abandon();
            agent.detach(outbox);
        });
        outbox.attach(call);
        agent.attach(outbox);
        return new StreamObserver<>() {
            @Override
            public void onNext(ClientFrame frame) {
                agent.onFrame(frame);
            }

            @Override
            public void onError(Throwable t) {
                outbox.abandon();
                agent.detach(outbox);
            }

            @Override
            public void onCompleted() {
                agent.detach(outbox);
                outbox.complete();
            }
        };
    }

    @Override
    public void tasks(TasksRequest request, StreamObserver<TasksReply> reply) {
        reply.onNext(TasksReply.newBuilder().addAllKnown(agent.knownTasks()).build());
        reply.onCompleted();
    }

    @Override
    public void shutdown(ShutdownRequest request, StreamObserver<ShutdownReply> reply) {
        int cancelled = agent.cancelAll();
        reply.onNext(ShutdownReply.newBuilder().setTasksCancelled(cancelled).build());
        reply.onCompleted();
        agent.exitSoon("the client asked: " + request.getReason(), Duration.ofMillis(request.getGraceMillis()), 0);
    }
}
