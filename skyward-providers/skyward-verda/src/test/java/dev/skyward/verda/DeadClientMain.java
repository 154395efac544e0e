package dev.skyward.verda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyward.ComputePool;
import dev.skyward.spi.SshEndpoint;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * A client that starts a Verda pool against the fake, says its pool id, and waits to be killed: what a
 * user's JVM that dies mid-pool looks like. Arguments: fake API base URL, self-destruct ({@code grant} or
 * {@code none}).
 */
public final class DeadClientMain {

    private DeadClientMain() {
    }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        Verda.Builder b = Verda.builder().credentials(FakeVerda.CLIENT_ID, FakeVerda.CLIENT_SECRET).baseUrl(base)
                .login(ip -> login(base, ip)).pollInterval(Duration.ofMillis(100))
                .retries(3, Duration.ofMillis(50));
        if (args[1].equals("grant")) {
            b.selfDestruct(FakeVerda.CLIENT_ID, FakeVerda.CLIENT_SECRET);
        }
        ComputePool pool = ComputePool.builder().console(false).provider(b.build()).accelerator("H100").nodes(1)
                .heartbeatGrace(Duration.ofSeconds(6)).provisionTimeout(Duration.ofSeconds(60)).build();
        String user = pool.run(ctx -> System.getProperty("user.name"));
        System.out.println("POOL " + pool.id() + " " + user);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private static SshEndpoint login(String base, String ip) {
        try {
            JsonNode n = new ObjectMapper().readTree(URI.create(base.replace("/v1", "") + "/fake/login/" + ip).toURL());
            return new SshEndpoint(n.path("host").asText(), n.path("port").asInt(), n.path("user").asText());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
