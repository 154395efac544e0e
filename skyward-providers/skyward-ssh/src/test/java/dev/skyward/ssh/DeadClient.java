package dev.skyward.ssh;

import dev.skyward.ComputePool;
import dev.skyward.OutputListener;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A client JVM for the dead-man's switch test: opens a pool on the given hosts, says READY, and
 * waits to be killed with SIGKILL (so it never closes the pool).
 *
 * <p>Arguments: known_hosts, key, heartbeat grace in ms, then {@code user@addr:port} per host.
 */
public final class DeadClient {

    private DeadClient() {
    }

    public static void main(String[] args) throws Exception {
        Ssh.Builder b = Ssh.builder().knownHosts(Path.of(args[0])).identity(Path.of(args[1]));
        for (int i = 3; i < args.length; i++) {
            b.host(args[i]);
        }
        ComputePool pool = ComputePool.builder().provider(b.build()).nodes(args.length - 3).console(false)
                .output(OutputListener.SILENT).heartbeatGrace(Duration.ofMillis(Long.parseLong(args[2]))).build();
        System.out.println("READY " + pool.id());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
