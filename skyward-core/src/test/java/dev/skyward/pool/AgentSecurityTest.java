package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skyward.ComputePool;
import dev.skyward.OutputListener;
import dev.skyward.testkit.Leaks;
import dev.skyward.wire.Protocol;
import dev.skyward.wire.proto.AgentGrpc;
import dev.skyward.wire.proto.Hello;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Agents listen on loopback only and serve nobody without the pool's token. */
class AgentSecurityTest {

    @Test
    void callsWithoutOrWithAWrongTokenAreRefused() throws Exception {
        ComputePool pool = ComputePool.builder().name("auth-test").console(false).output(OutputListener.SILENT).build();
        List<Integer> ports = Leaks.agentPorts(pool);
        try (pool) {
            int port = ports.get(0);

            StatusRuntimeException missing = catchThrowableOfType(StatusRuntimeException.class,
                    () -> handshake(port, null, pool.id()));
            assertThat(missing.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(missing.getStatus().getDescription()).contains("missing pool token");

            StatusRuntimeException wrong = catchThrowableOfType(StatusRuntimeException.class,
                    () -> handshake(port, "not-the-token", pool.id()));
            assertThat(wrong.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(wrong.getStatus().getDescription()).isEqualTo("wrong pool token");

            // The pool itself still works: the refused calls changed nothing.
            int one = pool.run(ctx -> 1);
            assertThat(one).isEqualTo(1);
        }
        Leaks.assertNothingLeft(pool, ports);
    }

    @Test
    void agentsListenOnLoopbackOnly() throws Exception {
        ComputePool pool = ComputePool.builder().name("bind-test").console(false).output(OutputListener.SILENT).build();
        List<Integer> ports = Leaks.agentPorts(pool);
        try (pool) {
            int port = ports.get(0);
            InetAddress other = InetAddress.getByName("127.0.0.2");
            assertThat(reachable(new InetSocketAddress(other, port))).isFalse();
            assertThat(reachable(new InetSocketAddress("127.0.0.1", port))).isTrue();
        }
        Leaks.assertNothingLeft(pool, ports);
    }

    private static boolean reachable(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 300);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static void handshake(int port, String token, String poolId) {
        NettyChannelBuilder b = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext();
        if (token != null) {
            Metadata m = new Metadata();
            m.put(Protocol.TOKEN_HEADER, token);
            b.intercept(MetadataUtils.newAttachHeadersInterceptor(m));
        }
        ManagedChannel channel = b.build();
        try {
            AgentGrpc.newBlockingStub(channel).handshake(Hello.newBuilder().setProtocolVersion(Protocol.VERSION)
                    .setPoolId(poolId).build());
        } finally {
            channel.shutdownNow();
        }
    }

}
