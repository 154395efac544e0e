package dev.skyward.aws;

import dev.skyward.ComputePool;
import dev.skyward.spi.SshEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A client JVM, started with no flags, that opens a 2-node AWS pool on moto, says READY with the pool id,
 * then waits to be killed with SIGKILL (no close, no shutdown hook).
 * Arguments: moto's endpoint, the VPC id, the hosts' logins file, the heartbeat grace in ms.
 */
public final class DeadClient {

    private DeadClient() {
    }

    public static void main(String[] args) throws Exception {
        URI endpoint = URI.create(args[0]);
        Path logins = Path.of(args[2]);
        Aws aws = Aws.builder().endpointOverride(endpoint).credentials(Moto.credentials()).region(Moto.REGION)
                .vpc(args[1]).privateAddresses().login(address -> login(logins, address)).build();
        ComputePool pool = ComputePool.builder().console(false).provider(aws).nodes(2).maxHourlyPrice(0.1)
                .heartbeatGrace(Duration.ofMillis(Long.parseLong(args[3]))).build();
        int ranks = pool.broadcast(ctx -> ctx.rank()).size();
        System.out.println("READY " + pool.id() + " " + ranks);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private static SshEndpoint login(Path logins, String address) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (Files.exists(logins)) {
                    for (String line : Files.readAllLines(logins)) {
                        String[] f = line.split(" ");
                        if (f.length == 3 && f[0].equals(address)) {
                            return new SshEndpoint(address, Integer.parseInt(f[1]), f[2]);
                        }
                    }
                }
                Thread.sleep(50);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("no host for " + address);
    }
}
