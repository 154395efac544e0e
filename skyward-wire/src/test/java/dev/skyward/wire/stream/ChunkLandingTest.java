package dev.skyward.wire.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.skyward.wire.Protocol;
import dev.skyward.wire.proto.AgentFrame;
import dev.skyward.wire.proto.AgentGrpc;
import dev.skyward.wire.proto.Chunk;
import dev.skyward.wire.proto.ClientFrame;
import dev.skyward.wire.proto.Output;
import dev.skyward.wire.proto.Result;
import dev.skyward.wire.serial.Payload;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A session's chunk frames are read straight into their task's assembly; every other frame parses as
 * protobuf parses it.
 */
class ChunkLandingTest {

    private final Map<Long, Payloads.Assembly> assemblies = new ConcurrentHashMap<>();
    private final ChunkLanding<AgentFrame> landing = new ChunkLanding<>(AgentGrpc.getSessionMethod().getResponseMarshaller(),
            c -> AgentFrame.newBuilder().setChunk(c).build(), assemblies::get);

    @Test
    void aChunksBytesLandInItsTasksArrayAndItsFrameCarriesOnlyTheTaskId() {
        byte[] value = PayloadsTest.filled(3 * Protocol.CHUNK_SIZE + 7, 5);
        Payloads.Assembly a = new Payloads.Assembly(ByteString.EMPTY, value.length, List.of());
        assemblies.put(42L, a);

        List<AgentFrame> parsed = new ArrayList<>();
        for (AgentFrame f : chunkFrames(42, value)) {
            parsed.add(landing.parse(stream(f)));
        }

        assertThat(parsed).allSatisfy(f -> {
            assertThat(f.getChunk().getTaskId()).isEqualTo(42);
            assertThat(f.getChunk().getData().isEmpty()).isTrue();
        });
        assertThat(a.isComplete()).isTrue();
        assertThat(a.payload().bytes()).isEqualTo(value);
    }

    @Test
    void theClientsChunksOfALargeArgumentLandTheSameWayOnTheAgent() {
        byte[] argument = PayloadsTest.filled(Protocol.CHUNK_SIZE + 9, 9);
        Payloads.Assembly a = new Payloads.Assembly(ByteString.EMPTY, 0, List.of((long) argument.length));
        ChunkLanding<ClientFrame> agentSide = new ChunkLanding<>(AgentGrpc.getSessionMethod().getRequestMarshaller(),
                c -> ClientFrame.newBuilder().setChunk(c).build(), id -> id == 5 ? a : null);
        Payloads.chunk(5, Payload.of(new byte[0], List.of(argument)), true, c -> {
            ClientFrame f = agentSide.parse(new ByteArrayInputStream(ClientFrame.newBuilder().setChunk(c).build().toByteArray()));
            assertThat(f.getChunk().getTaskId()).isEqualTo(5);
            assertThat(f.getChunk().getData().isEmpty()).isTrue();
        });
        assertThat(a.isComplete()).isTrue();
        assertThat(a.payload().arrays().get(0)).isEqualTo(argument);
    }

    @Test
    void interleavedChunksOfTwoTasksEachLandInTheirOwnArrays() {
        byte[] first = PayloadsTest.filled(2 * Protocol.CHUNK_SIZE + 1, 1);
        byte[] second = PayloadsTest.filled(Protocol.CHUNK_SIZE + 3, 2);
        Payloads.Assembly a = new Payloads.Assembly(ByteString.EMPTY, 0, List.of((long) first.length));
        Payloads.Assembly b = new Payloads.Assembly(ByteString.EMPTY, second.length, List.of());
        assemblies.put(1L, a);
        assemblies.put(2L, b);

        for (AgentFrame f : interleave(chunkFrames(1, first), chunkFrames(2, second))) {
            landing.parse(stream(f));
        }

        assertThat(a.isComplete()).isTrue();
        assertThat(a.payload().arrays().get(0)).isEqualTo(first);
        assertThat(b.isComplete()).isTrue();
        assertThat(b.payload().bytes()).isEqualTo(second);
    }

    @Test
    void aChunkForATaskWithNoAssemblyIsReadPastAndDropped() {
        InputStream in = stream(chunkFrames(7, PayloadsTest.filled(1000, 3)).get(0));
        AgentFrame f = landing.parse(in);
        assertThat(f.getChunk().getTaskId()).isEqualTo(7);
        assertThat(f.getChunk().getData().isEmpty()).isTrue();
        assertThat(in).isEmpty();
    }

    @Test
    void moreBytesThanAnnouncedBreakTheAssemblyInsteadOfTheStream() {
        Payloads.Assembly a = new Payloads.Assembly(ByteString.EMPTY, 10, List.of());
        assemblies.put(3L, a);
        InputStream in = stream(chunkFrames(3, PayloadsTest.filled(25, 4)).get(0));
        landing.parse(in);
        assertThat(in).isEmpty();
        assertThatThrownBy(() -> a.add(ByteString.EMPTY))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("15 bytes more than announced");
    }

    @Test
    void otherFramesAndChunksLaidOutOtherwiseParseAsProtobufParsesThem() throws Exception {
        assemblies.put(9L, new Payloads.Assembly(ByteString.EMPTY, 100, List.of()));
        AgentFrame result = AgentFrame.newBuilder().setResult(Result.newBuilder().setTaskId(9).setValueSize(100)).build();
        AgentFrame output = AgentFrame.newBuilder().setOutput(Output.newBuilder().setTaskId(9).addLines("hi")).build();
        AgentFrame emptyChunk = AgentFrame.newBuilder().setChunk(Chunk.newBuilder().setTaskId(9)).build();
        assertThat(landing.parse(stream(result))).isEqualTo(result);
        assertThat(landing.parse(stream(output))).isEqualTo(output);
        assertThat(landing.parse(stream(emptyChunk))).isEqualTo(emptyChunk);

        // Data first, then the task id: valid protobuf, not the sender's layout.
        ByteArrayOutputStream reordered = new ByteArrayOutputStream();
        byte[] chunk = {0x12, 3, 1, 2, 3, 0x08, 9};
        reordered.write(0x12);
        reordered.write(chunk.length);
        reordered.write(chunk);
        AgentFrame f = landing.parse(new ByteArrayInputStream(reordered.toByteArray()));
        assertThat(f.getChunk().getTaskId()).isEqualTo(9);
        assertThat(f.getChunk().getData().toByteArray()).containsExactly(1, 2, 3);
    }

    @Test
    void overGrpcInterleavedChunksLandAndEveryOtherFrameArrivesWhole() throws Exception {
        byte[] first = PayloadsTest.filled(5 * Protocol.CHUNK_SIZE + 11, 6);
        byte[] second = PayloadsTest.filled(3 * Protocol.CHUNK_SIZE, 7);
        byte[] dropped = PayloadsTest.filled(2 * Protocol.CHUNK_SIZE, 8);
        List<AgentFrame> sent = new ArrayList<>();
        sent.add(AgentFrame.newBuilder().setOutput(Output.newBuilder().setTaskId(1).addLines("before")).build());
        sent.addAll(interleave(interleave(chunkFrames(1, first), chunkFrames(2, second)), chunkFrames(3, dropped)));
        sent.add(AgentFrame.newBuilder().setOutput(Output.newBuilder().setTaskId(2).addLines("after")).build());

        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .maxInboundMessageSize(Protocol.MAX_FRAME).addService(new AgentGrpc.AgentImplBase() {
                    @Override
                    public StreamObserver<ClientFrame> session(StreamObserver<AgentFrame> out) {
                        sent.forEach(out::onNext);
                        out.onCompleted();
                        return new StreamObserver<>() {
                            @Override
                            public void onNext(ClientFrame value) {
                            }

                            @Override
                            public void onError(Throwable t) {
                            }

                            @Override
                            public void onCompleted() {
                            }
                        };
                    }
                }).build().start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext()
                .directExecutor().maxInboundMessageSize(Protocol.MAX_FRAME).build();
        try {
            Payloads.Assembly a = new Payloads.Assembly(ByteString.EMPTY, first.length, List.of());
            Payloads.Assembly b = new Payloads.Assembly(ByteString.EMPTY, 0, List.of((long) second.length));
            assemblies.put(1L, a);
            assemblies.put(2L, b);
            MethodDescriptor<ClientFrame, AgentFrame> plain = AgentGrpc.getSessionMethod();
            MethodDescriptor<ClientFrame, AgentFrame> method = plain.toBuilder(plain.getRequestMarshaller(), landing).build();
            List<AgentFrame> got = new ArrayList<>();
            CompletableFuture<Void> done = new CompletableFuture<>();
            StreamObserver<ClientFrame> requests = ClientCalls.asyncBidiStreamingCall(
                    channel.newCall(method, CallOptions.DEFAULT), new StreamObserver<AgentFrame>() {
                        @Override
                        public void onNext(AgentFrame value) {
                            got.add(value);
                        }

                        @Override
                        public void onError(Throwable t) {
                            done.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {
                            done.complete(null);
                        }
                    });
            done.get(30, TimeUnit.SECONDS);
            requests.onCompleted();

            assertThat(got).hasSize(sent.size());
            assertThat(got.get(0)).isEqualTo(sent.get(0));
            assertThat(got.get(got.size() - 1)).isEqualTo(sent.get(sent.size() - 1));
            assertThat(got.subList(1, got.size() - 1)).allSatisfy(f -> assertThat(f.getChunk().getData().isEmpty()).isTrue());
            assertThat(a.isComplete()).isTrue();
            assertThat(a.payload().bytes()).isEqualTo(first);
            assertThat(b.isComplete()).isTrue();
            assertThat(b.payload().arrays().get(0)).isEqualTo(second);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static List<AgentFrame> chunkFrames(long taskId, byte[] value) {
        List<AgentFrame> frames = new ArrayList<>();
        Payloads.chunk(taskId, Payload.of(value), false, c -> frames.add(AgentFrame.newBuilder().setChunk(c).build()));
        return frames;
    }

    private static List<AgentFrame> interleave(List<AgentFrame> x, List<AgentFrame> y) {
        List<AgentFrame> out = new ArrayList<>();
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            if (i < x.size()) {
                out.add(x.get(i));
            }
            if (i < y.size()) {
                out.add(y.get(i));
            }
        }
        return out;
    }

    private static InputStream stream(AgentFrame f) {
        return new ByteArrayInputStream(f.toByteArray());
    }
}
