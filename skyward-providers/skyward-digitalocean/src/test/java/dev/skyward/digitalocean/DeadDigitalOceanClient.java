package dev.skyward.digitalocean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyward.ComputePool;
import dev.skyward.OutputListener;
import dev.skyward.spi.SshEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;

/**
 * A client JVM for the dead-man's switch test: opens a DigitalOcean pool on the fake, says READY,
 * and waits to be killed with SIGKILL (so it never closes the pool).
 *
 * <p>Arguments: fake base URL, token, self-destruct token or {@code -}, heartbeat grace in ms, nodes.
 */
public final class DeadDigitalOceanClient {

    private DeadDigitalOceanClient() {
    }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        DigitalOcean.Builder b = DigitalOcean.builder().token(args[1]).baseUrl(base).regions("tor1")
                .login(ip -> hostAt(base, ip));
        if (!args[2].equals("-")) {
            b.selfDestruct(args[2]);
        }
        ComputePool pool = ComputePool.builder().provider(b.build()).accelerator("H100")
                .nodes(Integer.parseInt(args[4])).console(false).output(OutputListener.SILENT)
                .heartbeatGrace(Duration.ofMillis(Long.parseLong(args[3]))).build();
        System.out.println("READY " + pool.id());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /** The fake's hosts have their own users and ports; the fake says which. */
    private static SshEndpoint hostAt(String base, String ip) {
        try {
            JsonNode h = new ObjectMapper().readTree(URI.create(base + "/fake/hosts/" + ip).toURL());
            return new SshEndpoint(ip, h.path("port").asInt(), h.path("user").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
