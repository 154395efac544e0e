package dev.skyward.examples;

import dev.skyward.ComputePool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Multi-node PyTorch from Java: every node runs a Python script that joins torch.distributed with the
 * environment the pool gives it (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE) and all-reduces a tensor.
 * On the local provider it uses the gloo backend and needs {@code python3} with torch
 * ({@code apt-get install python3-torch}; the environment variable {@code PYTHON} on the nodes picks
 * another interpreter); on GPU nodes, pass {@code nccl}.
 *
 * <pre>
 * java -cp examples/target/skyward-examples.jar dev.skyward.examples.TorchAllReduce [gloo|nccl] [nodes]
 * </pre>
 */
public final class TorchAllReduce {

    private TorchAllReduce() {
    }

    /**
     * @param args backend (default gloo) and node count (default 2)
     */
    public static void main(String[] args) {
        String backend = args.length > 0 ? args[0] : "gloo";
        int nodes = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        String script = String.join("\n",
                "import torch, torch.distributed as dist",
                "dist.init_process_group('" + backend + "')",
                "t = torch.ones(4) * (dist.get_rank() + 1)",
                "dist.all_reduce(t)",
                "print(f'rank {dist.get_rank()}/{dist.get_world_size()}: {t.tolist()}')");
        try (var pool = ComputePool.builder().name("torch").nodes(nodes).build()) {
            List<String> lines = pool.broadcast(ctx -> {
                Path file = Files.createTempFile("allreduce", ".py");
                Files.writeString(file, script);
                // Debian's python3-torch installs for /usr/bin/python3; another python3 may come first on PATH.
                String python = System.getenv().getOrDefault("PYTHON",
                        Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3");
                Process p = ctx.process(python, file.toString()).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                int code = p.waitFor();
                Files.delete(file);
                if (code != 0) {
                    throw new IllegalStateException("python exited with " + code + ":\n" + out);
                }
                return out;
            });
            lines.forEach(System.out::println);
        }
    }
}
