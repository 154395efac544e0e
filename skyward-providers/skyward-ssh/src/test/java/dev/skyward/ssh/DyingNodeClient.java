package dev.skyward.ssh;

import dev.skyward.ComputePool;
import dev.skyward.NodeLostException;
import dev.skyward.OutputListener;
import java.nio.file.Path;

/**
 * A client JVM started without flags, as a user's {@code java -cp app.jar Main} is: opens a pool on
 * one host, runs a task that calls {@code System.exit(3)}, and prints what the caller was told
 * ({@code LOST <ms> <message>}), then closes the pool.
 *
 * <p>Arguments: known_hosts, key, {@code user@addr:port}.
 */
public final class DyingNodeClient {

    private DyingNodeClient() {
    }

    public static void main(String[] args) throws Exception {
        Ssh provider = Ssh.builder().knownHosts(Path.of(args[0])).identity(Path.of(args[1])).host(args[2]).build();
        try (ComputePool pool = ComputePool.builder().provider(provider).console(false)
                .replacement(dev.skyward.Replacement.NEVER).output(OutputListener.SILENT)
                .build()) {
            long start = System.nanoTime();
            try {
                pool.run(ctx -> {
                    System.exit(3);
                    return 0;
                });
                System.out.println("NOT LOST");
            } catch (NodeLostException e) {
                System.out.println("LOST " + (System.nanoTime() - start) / 1_000_000 + " " + e.getMessage()
                        .replace('\n', ' '));
                System.out.println("NODE " + pool.nodes().get(0).isLost());
            }
        }
        System.out.println("CLOSED");
    }
}
