package dev.skyward.examples;

import dev.skyward.ComputePool;
import dev.skyward.ssh.Ssh;
import java.nio.file.Path;
import java.util.List;

/**
 * A pool on machines you already have, reached over SSH. The hosts file lists them:
 *
 * <pre>
 * user ubuntu
 * identity ~/.ssh/id_ed25519
 * known_hosts ~/.ssh/known_hosts
 * host gpu-1.lan
 * host gpu-2.lan:2222
 * </pre>
 *
 * <pre>
 * java -cp examples/target/skyward-examples.jar dev.skyward.examples.ExistingMachines hosts.conf 2 [A100]
 * </pre>
 */
public final class ExistingMachines {

    private ExistingMachines() {
    }

    /**
     * @param args the hosts file, the node count, and optionally the accelerator every node needs
     */
    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: ExistingMachines HOSTS_FILE NODES [ACCELERATOR]");
            System.exit(2);
        }
        Ssh hosts = Ssh.fromConfig(Path.of(args[0]));
        ComputePool.Builder builder = ComputePool.builder().provider(hosts).nodes(Integer.parseInt(args[1]));
        if (args.length > 2) {
            builder.accelerator(args[2]);
        }
        try (var pool = builder.build()) {
            List<String> where = pool.broadcast(ctx -> "rank " + ctx.rank() + " on "
                    + java.net.InetAddress.getLocalHost().getHostName() + " with " + ctx.accelerator()
                    + ", head " + ctx.headAddress());
            where.forEach(System.out::println);
        }
    }
}
