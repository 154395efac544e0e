package dev.skyward.integrations.launch;

import dev.skyward.NodeContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a launcher process on a node and relays its output into the task's output (so it reaches
 * the client tagged with node and task). Shared by the launch helpers.
 */
final class Launch {

    private Launch() {
    }

    /**
     * Runs the command with the node's environment plus {@code extraEnv}, waits, and returns the
     * output's lines; a non-zero exit throws with the last lines of output.
     */
    static List<String> run(NodeContext ctx, List<String> command, java.util.Map<String, String> extraEnv)
            throws IOException, InterruptedException {
        ProcessBuilder pb = ctx.process(command.toArray(String[]::new)).redirectErrorStream(true);
        pb.environment().putAll(extraEnv);
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                System.out.println(line);
                lines.add(line);
            }
        } finally {
            if (p.isAlive()) {
                p.destroy();
            }
        }
        int code = p.waitFor();
        if (code != 0) {
            throw new IllegalStateException(command.get(0) + " exited with " + code + " on node " + ctx.rank()
                    + "; last output:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
        }
        return lines;
    }

    static int processesPerNode(NodeContext ctx) {
        return Math.max(1, ctx.accelerator().count());
    }
}
