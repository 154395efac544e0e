package dev.skyward.node;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How to start one node's agent: the same for every launcher (local process, SSH). The token is
 * passed in the environment ({@code SKYWARD_TOKEN}), never on the command line where {@code ps}
 * would show it.
 *
 * @param agentJar the agent jar on this machine (launchers that run elsewhere upload it)
 * @param poolId the pool
 * @param rank the node's rank
 * @param token the pool's secret; every call to the agent must carry it
 * @param env the node's environment (distributed variables, image env, user env), token included
 * @param heartbeatGrace the agent exits when it hears nothing from the client for this long
 * @param ttl hard cap on the agent's life, or {@code null} for none
 * @param jvmOptions extra JVM options
 * @param spotNotice the instance metadata service the agent watches for a spot interruption notice,
 *     or {@code null} (only where the provider asks: {@link dev.skyward.spi.NodeAccess#spotNotice()})
 */
public record AgentCommand(Path agentJar, String poolId, int rank, String token, Map<String, String> env,
        Duration heartbeatGrace, Duration ttl, List<String> jvmOptions, URI spotNotice) {

    /**
     * JVM options every agent gets. The full JIT (C2): the agent runs the user's tasks, which must run
     * at full speed (C1-only code ran a round trip 35 % slower here, and compute 2-3x slower), and
     * on a cloud each agent has its machine's cores to itself while it starts. G1:
     * large payloads are short-lived arrays that G1 reclaims in young collections (humongous eager
     * reclaim), where the parallel collector needed a full collection per 256 MiB task (argument
     * rate 130 vs 600+ MB/s here). The opens are what Fory needs on JDK 25.
     */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of(
            "-XX:+UseG1GC",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED");

    /** Copies the collections. */
    public AgentCommand {
        env = Map.copyOf(env);
        jvmOptions = List.copyOf(jvmOptions);
    }

    /** A command whose agent watches for no interruption notice. */
    public AgentCommand(Path agentJar, String poolId, int rank, String token, Map<String, String> env,
            Duration heartbeatGrace, Duration ttl, List<String> jvmOptions) {
        this(agentJar, poolId, rank, token, env, heartbeatGrace, ttl, jvmOptions, null);
    }

    /**
     * The same command, with the agent watching a metadata service for a spot interruption notice.
     *
     * @param metadataEndpoint e.g. {@code http://169.254.169.254}, or {@code null} for none
     * @return a new command
     */
    public AgentCommand withSpotNotice(URI metadataEndpoint) {
        return new AgentCommand(agentJar, poolId, rank, token, env, heartbeatGrace, ttl, jvmOptions, metadataEndpoint);
    }

    /**
     * Whether the JVM options attach a native or Java agent (a profiler's {@code -agentpath:}, a
     * debugger's {@code -agentlib:jdwp}, a {@code -javaagent:}). Such a JVM refuses to start when it is
     * also asked to record a class-data archive ("CDS dumping does not support native JVMTI agent"), so
     * an agent started with one only uses an archive that already exists.
     *
     * @return true when one of the options attaches an agent
     */
    public boolean attachesJvmAgents() {
        return jvmOptions.stream().anyMatch(o -> o.startsWith("-agentpath:") || o.startsWith("-agentlib:")
                || o.startsWith("-javaagent:") || o.startsWith("-Xrun"));
    }

    /**
     * The same command with more JVM options.
     *
     * @param extra options to append
     * @return a new command
     */
    public AgentCommand withJvmOptions(List<String> extra) {
        List<String> all = new ArrayList<>(jvmOptions);
        all.addAll(extra);
        return new AgentCommand(agentJar, poolId, rank, token, env, heartbeatGrace, ttl, all, spotNotice);
    }

    /**
     * The command line for a node: {@code java [opts] -jar JAR --work-dir DIR --port-file FILE ...}.
     * The agent binds 127.0.0.1 on a free port and writes the port to the port file once it listens.
     *
     * @param java the java executable on the node
     * @param jar path of the agent jar on the node
     * @param workDir the agent's working directory on the node
     * @param portFile where the agent writes its port on the node
     * @param removeWorkDirOnExit whether the agent deletes its working directory when it exits
     * @return the argument list
     */
    public List<String> commandLine(String java, String jar, String workDir, String portFile,
            boolean removeWorkDirOnExit) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(jar);
        cmd.add("--work-dir");
        cmd.add(workDir);
        cmd.add("--port-file");
        cmd.add(portFile);
        cmd.add("--pool");
        cmd.add(poolId);
        cmd.add("--rank");
        cmd.add(Integer.toString(rank));
        cmd.add("--heartbeat-grace-ms");
        cmd.add(Long.toString(heartbeatGrace.toMillis()));
        if (ttl != null) {
            cmd.add("--ttl-ms");
            cmd.add(Long.toString(ttl.toMillis()));
        }
        if (removeWorkDirOnExit) {
            cmd.add("--remove-work-dir-on-exit");
        }
        if (spotNotice != null) {
            cmd.add("--spot-notice");
            cmd.add(spotNotice.toString());
        }
        return cmd;
    }
}
