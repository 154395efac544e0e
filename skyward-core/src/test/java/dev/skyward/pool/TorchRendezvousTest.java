package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.OutputListener;
import dev.skyward.testkit.Leaks;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The environment every node gets is enough for real torch.distributed to rendezvous: two nodes run
 * Debian's PyTorch with the gloo backend and all-reduce a tensor.
 */
class TorchRendezvousTest {

    static final String PYTHON = "/usr/bin/python3";

    static final String SCRIPT = String.join("\n",
            "import os, torch, torch.distributed as dist",
            "dist.init_process_group('gloo')",  // reads MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE
            "t = torch.tensor([float(dist.get_rank() + 1)])",
            "dist.all_reduce(t, op=dist.ReduceOp.SUM)",
            "print(f'{dist.get_rank()} {dist.get_world_size()} {t.item()}')",
            "dist.destroy_process_group()");

    @BeforeAll
    static void torchIsInstalled() throws Exception {
        Process p = new ProcessBuilder(PYTHON, "-c", "import torch").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor())
                .as("this test needs Debian's python3-torch for " + PYTHON + " (run .ci/run, which installs it): " + out)
                .isZero();
    }

    @Test
    void twoNodesAllReduceWithGloo() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ComputePool pool = ComputePool.builder().name("torch-test").nodes(2).masterPort(port).console(false)
                .output(OutputListener.SILENT).build();
        List<Integer> ports = Leaks.agentPorts(pool);
        try {
            List<String> lines = pool.broadcast(ctx -> {
                Path script = Files.createTempFile("allreduce", ".py");
                Files.writeString(script, SCRIPT);
                Process p = new ProcessBuilder(PYTHON, script.toString()).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("python failed on rank " + ctx.rank() + ": " + out);
                }
                Files.delete(script);
                String[] all = out.split("\n");
                return all[all.length - 1];
            });
            // ranks 0 and 1 contribute 1 and 2: the sum 3 is on both.
            assertThat(lines).containsExactly("0 2 3.0", "1 2 3.0");
        } finally {
            pool.close();
        }
        Leaks.assertNothingLeft(pool, ports);
    }
}
