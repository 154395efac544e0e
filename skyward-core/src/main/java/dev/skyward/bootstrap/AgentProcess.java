package dev.skyward.bootstrap;

import dev.skyward.node.AgentCommand;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent process on a node: started detached ({@code setsid}, own session and process group,
 * stdin from /dev/null, output to a log) so it survives the SSH connection that started it; its
 * environment, token included, travels in a mode-600 file read and deleted at start, never on a
 * command line.
 *
 * @param pid the agent's pid (also its process group)
 * @param port the port it listens on, on the node's 127.0.0.1
 * @param runDir its run directory (work dir, port file, log)
 */
record AgentProcess(long pid, int port, String runDir) {

    private static final String ENV_END = "__SKYWARD_ENV_END__";

    static AgentProcess start(SshSession s, NodeFacts facts, JavaRuntime java, List<Artifact> artifacts,
            AgentCommand command, BootstrapSettings settings, Duration timeout) throws IOException {
        String runDir = RemoteLayout.runDir(facts.home(), command.poolId(), command.rank());
        String jar = facts.home() + "/" + RemoteLayout.CACHE + "/" + artifacts.get(0).cacheName();
        List<String> argv = new ArrayList<>(command.commandLine(java.path(), jar, runDir, runDir + "/agent.port", true));
        argv.addAll(1, classSharing(facts, java, artifacts.get(0), command));
        // The node's content cache doubles as the agent's jar cache: jars it fetches from the client
        // land there by hash, so the next pool on this host needs neither upload nor fetch.
        argv.add("--cache-dir");
        argv.add(facts.home() + "/" + RemoteLayout.CACHE);
        if (settings.onExpire() != null) {
            argv.add("--on-expire");
            argv.add(settings.onExpire());
        }
        Map<String, String> env = new LinkedHashMap<>(command.env());
        env.putIfAbsent("SKYWARD_TOKEN", command.token());
        StringBuilder envFile = new StringBuilder();
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getValue().contains(ENV_END)) {
                throw new IllegalArgumentException("environment value of " + e.getKey() + " contains " + ENV_END);
            }
            envFile.append("export ").append(Shell.envName(e.getKey())).append('=').append(Shell.quote(e.getValue()))
                    .append('\n');
        }
        if (!settings.image().pip().isEmpty()) {
            envFile.append("export VIRTUAL_ENV=\"$HOME/").append(RemoteLayout.VENV).append("\" PATH=\"$HOME/")
                    .append(RemoteLayout.VENV).append("/bin:$PATH\"\n");
        }
        long ticks = Math.max(1, timeout.toMillis() / 50);
        String script = LIVE_FUNCTIONS + "set -e\n"
                + "W=" + Shell.quote(runDir) + "\n"
                + "umask 077\nmkdir -p \"$W\"\ncd \"$W\"\nrm -f agent.port agent.pid\n"
                + "cat > agent.env <<'" + ENV_END + "'\n" + envFile + ENV_END + "\n"
                // $$ of the inner sh is the session and process-group leader, and after exec it is java.
                + "setsid sh -c '. ./agent.env; rm -f ./agent.env; echo $$ > agent.pid; exec \"$@\"' skyward-agent "
                + Shell.join(argv) + " > agent.log 2>&1 < /dev/null &\n"
                + "set +e\nn=0\n"
                + "while [ ! -s agent.port ]; do\n"
                + "  n=$((n+1))\n"
                + "  if [ $n -gt " + ticks + " ]; then echo status=timeout; [ -s agent.pid ] && echo pid=$(cat agent.pid); "
                + "tail -n 30 agent.log; exit 0; fi\n"
                + "  if [ -s agent.pid ] && ! running \"$(cat agent.pid)\"; then echo status=died; "
                + "tail -n 30 agent.log; exit 0; fi\n"
                + "  sleep 0.05\n"
                + "done\n"
                + "echo status=ok\necho pid=$(cat agent.pid)\necho port=$(cat agent.port)\n";
        ExecResult r = s.exec(script, timeout.plusSeconds(10));
        String status = value(r.stdout(), "status");
        if ("ok".equals(status)) {
            return new AgentProcess(Long.parseLong(value(r.stdout(), "pid")), Integer.parseInt(value(r.stdout(), "port")),
                    runDir);
        }
        String out = r.stdout().lines().filter(l -> !l.startsWith("status=") && !l.startsWith("pid="))
                .reduce((a, b) -> a + "\n" + b).orElse("").strip();
        String pid = value(r.stdout(), "pid");
        if (pid != null) {
            new AgentProcess(Long.parseLong(pid), 0, runDir).kill(s, Duration.ZERO);
        } else {
            s.exec("rm -rf " + Shell.quote(runDir), Duration.ofSeconds(10));
        }
        String what = "died".equals(status) ? "the agent exited during start-up"
                : "timeout".equals(status) ? "the agent did not write its port file within " + timeout.toSeconds() + " s"
                : "starting the agent failed (exit " + r.exitStatus() + ")";
        throw new BootstrapException(BootstrapPhase.AGENT, s.target().toString(), what + " (" + java
                + "); its last output:\n" + (out.isEmpty() ? r.tail(20) : out), null);
    }

    /** The agent's class-data-sharing archive in the node cache, named by the agent jar's hash. */
    static String classArchiveName(Artifact agentJar) {
        return "agent-" + agentJar.sha256().substring(0, 16) + ".jsa";
    }

    /**
     * JVM options for a class-data-sharing archive of the agent's classes, which cuts its start-up by
     * about a quarter. JDK 19+ keeps the archive up to date by itself; on 17 and 18 an agent started
     * without one writes one at exit under a temporary name, and the next probe promotes it.
     * A mismatched or damaged archive only costs a warning in the agent's log.
     */
    private static List<String> classSharing(NodeFacts facts, JavaRuntime java, Artifact agentJar, AgentCommand command) {
        String archive = facts.home() + "/" + RemoteLayout.CACHE + "/" + classArchiveName(agentJar);
        if (java.feature() >= 19) {
            return List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + archive);
        }
        if (facts.classArchive()) {
            return List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto");
        }
        return List.of("-XX:ArchiveClassesAtExit=" + archive + "." + command.poolId() + "-r" + command.rank() + ".tmp");
    }

    private static String value(String out, String key) {
        for (String l : out.split("\n")) {
            if (l.startsWith(key + "=")) {
                return l.substring(key.length() + 1).trim();
            }
        }
        return null;
    }

    /**
     * Shell functions: whether a pid, or any member of a process group, is running. Zombies count as
     * gone: where PID 1 does not reap orphans (some containers), {@code kill -0} still sees them.
     */
    private static final String LIVE_FUNCTIONS = ""
            + "running() { [ -r /proc/$1/stat ] || return 1; read -r l < /proc/$1/stat || return 1; r=${l##*) }; "
            + "[ \"${r%% *}\" != Z ]; }\n"
            + "group_running() { for f in /proc/[0-9]*/stat; do read -r l < \"$f\" 2>/dev/null || continue; "
            + "r=${l##*) }; set -- $r; [ \"$3\" = \"$G\" ] && [ \"$1\" != Z ] && return 0; done; return 1; }\n";

    /** Whether the agent process still runs. */
    boolean alive(SshSession s) throws IOException {
        return s.exec(LIVE_FUNCTIONS + "running " + pid + "\n", Duration.ofSeconds(10)).ok();
    }

    /**
     * Waits up to {@code grace} for the agent to exit, then kills its process group, removes its run
     * directory, and checks both are gone.
     *
     * @return true when no process of the group and no run directory remain
     */
    boolean kill(SshSession s, Duration grace) throws IOException {
        long ticks = grace.toMillis() / 100;
        String script = LIVE_FUNCTIONS + "P=" + pid + "\nG=" + pid + "\nn=0\n"
                + "while running $P && [ $n -lt " + ticks + " ]; do sleep 0.1; n=$((n+1)); done\n"
                + "kill -9 -$P 2>/dev/null; kill -9 $P 2>/dev/null\n"
                + "n=0; while group_running && [ $n -lt 50 ]; do sleep 0.1; n=$((n+1)); done\n"
                + "rm -rf " + Shell.quote(runDir) + "\n"
                + "if group_running || [ -e " + Shell.quote(runDir) + " ]; then echo left; else echo gone; fi\n";
        return s.exec(script, grace.plusSeconds(15)).stdout().contains("gone");
    }
}
