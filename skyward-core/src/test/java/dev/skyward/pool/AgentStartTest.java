package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.node.AgentCommand;
import dev.skyward.node.AgentJar;
import dev.skyward.wire.Protocol;
import dev.skyward.wire.proto.AgentGrpc;
import dev.skyward.wire.proto.Hello;
import dev.skyward.wire.proto.Welcome;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An agent's dead-man's switch counts from its client's first handshake, not from its own start. */
class AgentStartTest {

    @Test
    void aClientSlowerToConnectThanTheHeartbeatGraceStillFindsItsAgent(@TempDir Path dir) throws Exception {
        String token = "start-test-token";
        AgentCommand command = new AgentCommand(AgentJar.get().path(), "start-test", 0, token,
                Map.of(Protocol.TOKEN_ENV, token), Duration.ofSeconds(2), null, AgentCommand.DEFAULT_JVM_OPTIONS);
        Path portFile = dir.resolve("agent.port");
        ProcessBuilder pb = new ProcessBuilder(command.commandLine(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), command.agentJar().toString(),
                dir.resolve("work").toString(), portFile.toString(), true))
                .redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile());
        pb.environment().putAll(command.env());
        Process agent = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(Files.exists(portFile) && !Files.readString(portFile).isBlank()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            int port = Integer.parseInt(Files.readString(portFile, StandardCharsets.US_ASCII).trim());
            // A loaded client: twice the grace passes between the agent listening and the first handshake.
            Thread.sleep(4_000);
            assertThat(agent.isAlive()).as("agent gave up before its client connected; log:\n%s",
                    String.join("\n", Files.exists(dir.resolve("agent.log")) ? Files.readAllLines(dir.resolve("agent.log"))
                            : List.of())).isTrue();
            Metadata m = new Metadata();
            m.put(Protocol.TOKEN_HEADER, token);
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                    .intercept(MetadataUtils.newAttachHeadersInterceptor(m)).build();
            try {
                Welcome w = AgentGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .handshake(Hello.newBuilder().setProtocolVersion(Protocol.VERSION).setPoolId("start-test")
                                .setConcurrency(1).build());
                assertThat(w.getPid()).isEqualTo(agent.pid());
                // From the handshake on, the grace applies: silence ends the agent.
                assertThat(agent.waitFor(15, TimeUnit.SECONDS)).as("agent outlived the grace after the handshake").isTrue();
                assertThat(agent.exitValue()).isEqualTo(3);
                // Its own log (SLF4J, initialised beside the server's start) kept the stderr it started
                // with: the lines before and after System.err was routed to the client are both there.
                assertThat(Files.readAllLines(dir.resolve("agent.log")))
                        .anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO .* listening on 127\\.0\\.0\\.1:" + port))
                        .anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN .* gives up: .*"))
                        .noneMatch(l -> l.startsWith("SLF4J"));
            } finally {
                channel.shutdownNow();
            }
        } finally {
            agent.destroyForcibly();
            agent.waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(dir.resolve("work")).doesNotExist();
    }
}
