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
 * <p>The agent runs as the only child of a small shell wrapper, the group's leader, which waits for
 * it and so learns its exit status, which no other process on the node can. While a client watches
 * ({@link #watchScript}), the wrapper leaves the status in {@code agent.exit} next to the log for the
 * client to read; with no client watching (it crashed, or its SSH connection is down) nobody would
 * read them, and the wrapper removes the run directory itself (an agent that gives up on its client
 * removes it before it exits). Either way the wrapper ends with the agent.
 *
 * @param pid the agent's pid
 * @param group the wrapper's pid, which is the process group of the agent and all it starts
 * @param port the port it listens on, on the node's 127.0.0.1
 * @param runDir its run directory (work dir, port file, log, exit status)
 */
record AgentProcess(long pid, long group, int port, String runDir) {

    private static final String ENV_END = "__SKYWARD_ENV_END__";

    /** Marks the watcher's report: the exit status (or {@code unknown}) follows, then the log's tail. */
    static final String EXIT_MARK = "skyward-exit=";

    /** Bytes of the log's end a report carries. */
    private static final int TAIL_BYTES = 8192;


    static AgentProcess start(SshSession s, NodeFacts facts, JavaRuntime java, List<Artifact> artifacts,
            AgentCommand command, BootstrapSettings settings, Duration timeout) throws IOException {
        String runDir = RemoteLayout.runDir(facts.home(), command.poolId(), command.rank());
        String jar = facts.home() + "/" + RemoteLayout.CACHE + "/" + artifacts.get(0).cacheName();
        List<String> argv = new ArrayList<>(command.commandLine(java.path(), jar, runDir, runDir + "/agent.port", false));
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
                + "umask 077\nmkdir -p \"$W\"\ncd \"$W\"\n"
                + "rm -f agent.port agent.pid agent.group agent.exit agent.exit.tmp watch.pid\n"
                + "cat > agent.env <<'" + ENV_END + "'\n" + envFile + "set -- " + Shell.join(argv) + "\n" + ENV_END + "\n"
                // The wrapper's $$ is the session and process-group leader; the agent is its child.
                + "setsid sh -c " + Shell.quote(WRAPPER) + " skyward-agent > agent.log 2>&1 < /dev/null &\n"
                + "set +e\nn=0\n"
                + "while [ ! -s agent.port ]; do\n"
                + "  n=$((n+1))\n"
                + "  if [ $n -gt " + ticks + " ]; then echo status=timeout; [ -s agent.pid ] && echo pid=$(cat agent.pid); "
                + "tail -n 30 agent.log; exit 0; fi\n"
                + "  if [ -s agent.pid ] && ! running \"$(cat agent.pid)\"; then echo status=died; "
                + "tail -n 30 agent.log; exit 0; fi\n"
                + "  sleep 0.05\n"
                + "done\n"
                + "echo status=ok\necho pid=$(cat agent.pid)\necho group=$(cat agent.group)\necho port=$(cat agent.port)\n";
        ExecResult r = s.exec(script, timeout.plusSeconds(10));
        String status = value(r.stdout(), "status");
        if ("ok".equals(status)) {
            return new AgentProcess(Long.parseLong(value(r.stdout(), "pid")), Long.parseLong(value(r.stdout(), "group")),
                    Integer.parseInt(value(r.stdout(), "port")), runDir);
        }
        String out = r.stdout().lines().filter(l -> !l.startsWith("status=") && !l.startsWith("pid="))
                .reduce((a, b) -> a + "\n" + b).orElse("").strip();
        String pid = value(r.stdout(), "pid");
        String group = value(r.stdout(), "group");
        if (pid != null) {
            new AgentProcess(Long.parseLong(pid), group == null ? Long.parseLong(pid) : Long.parseLong(group), 0, runDir)
                    .kill(s, Duration.ZERO);
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
    static List<String> classSharing(NodeFacts facts, JavaRuntime java, Artifact agentJar, AgentCommand command) {
        String archive = facts.home() + "/" + RemoteLayout.CACHE + "/" + classArchiveName(agentJar);
        // A JVM that attaches a profiler or debugger refuses to start when asked to record an archive.
        boolean mayRecord = !command.attachesJvmAgents();
        if (java.feature() >= 19 && mayRecord) {
            return List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + archive);
        }
        if (java.feature() >= 19) {
            // Use the archive earlier agents recorded, if any (the probe only looks for it on 17 and 18).
            return List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto", "-Xlog:cds=off");
        }
        if (facts.classArchive()) {
            return List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto");
        }
        if (!mayRecord) {
            return List.of();
        }
        // The dump at exit warns about every class it skips, a dozen lines or more: they would bury an
        // agent's last words, which the client reads from the end of its log when it dies.
        return List.of("-XX:ArchiveClassesAtExit=" + archive + "." + command.poolId() + "-r" + command.rank() + ".tmp",
                "-Xlog:cds*=off");
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

    /**
     * The wrapper. It runs {@code "$@"} (set from the env file, so neither the java command line nor
     * the token shows in its own {@code ps} line), writes both pids, and once the agent ended either
     * leaves the status for a watcher that is still running or removes the run directory.
     */
    private static final String WRAPPER = LIVE_FUNCTIONS
            + ". ./agent.env; rm -f ./agent.env\n"
            // A SIGTERM to the whole group (a user session ending) must not take the wrapper before it
            // has the agent's status. A caught signal is reset for the child, so the agent still gets it.
            + "trap : TERM HUP\n"
            + "\"$@\" &\n"
            + "a=$!\n"
            + "echo $$ > agent.group; echo $a > agent.pid\n"
            // A trapped signal ends a wait early; wait again until the agent is reaped.
            + "while :; do wait $a; s=$?; kill -0 $a 2>/dev/null || break; done\n"
            + "w=; [ -s watch.pid ] && read -r w < watch.pid\n"
            + "if [ -n \"$w\" ] && running \"$w\"; then echo $s > agent.exit.tmp && mv agent.exit.tmp agent.exit\n"
            + "else d=$PWD; cd / && rm -rf \"$d\"; fi\n";

    /**
     * A script that stays on the node while the client is connected: it writes its pid to
     * {@code watch.pid} (which tells the wrapper a client is listening), waits until the agent has
     * ended, then prints {@value #EXIT_MARK} and the wrapper's recorded status ({@code unknown} when
     * none was recorded, {@code gone} when the run directory went with it), followed by the end of
     * the agent's log. With {@code once} it reports only
     * if the agent has already ended, and prints nothing otherwise. A line every second lets it
     * notice a closed channel (writing fails) and end with it.
     */
    String watchScript(boolean once) {
        String report = "echo; echo " + EXIT_MARK + "\"$st\"; tail -c " + TAIL_BYTES + " agent.log 2>/dev/null; exit 0\n";
        return LIVE_FUNCTIONS + "cd " + Shell.quote(runDir) + " 2>/dev/null || { echo " + EXIT_MARK + "gone; exit 0; }\n"
                + (once ? "" : "echo $$ > watch.pid\n")
                + "n=0\n"
                + "while :; do\n"
                + "  if [ -s agent.exit ]; then read -r st < agent.exit; " + report + "  fi\n"
                + "  if ! running " + pid + " && ! running " + group + "; then\n"
                // The wrapper may be writing the status right now.
                + "    sleep 0.2; st=unknown; [ -s agent.exit ] && read -r st < agent.exit; " + report + "  fi\n"
                + (once ? "  exit 0\n" : "")
                + "  n=$((n+1)); if [ $n -ge 10 ]; then n=0; echo . || exit 0; fi\n"
                + "  [ -d " + Shell.quote(runDir) + " ] || { echo " + EXIT_MARK + "gone; exit 0; }\n"
                + "  sleep 0.1\n"
                + "done\n";
    }

    /** Whether the agent process still runs. */
    boolean alive(SshSession s) throws IOException {
        return s.exec(LIVE_FUNCTIONS + "running " + pid + "\n", Duration.ofSeconds(10)).ok();
    }

    /**
     * Waits up to {@code grace} for the agent to exit, then kills its process group, removes its run
     * directory, lets the watcher end, and checks the group and the directory are gone.
     *
     * @return true when no process of the group and no run directory remain
     */
    boolean kill(SshSession s, Duration grace) throws IOException {
        long ticks = grace.toMillis() / 100;
        String dir = Shell.quote(runDir);
        String script = LIVE_FUNCTIONS + "P=" + pid + "\nG=" + group + "\nn=0\n"
                + "while running $P && [ $n -lt " + ticks + " ]; do sleep 0.1; n=$((n+1)); done\n"
                + "kill -9 -$G 2>/dev/null; kill -9 $G $P 2>/dev/null\n"
                + "w=; [ -s " + dir + "/watch.pid ] && read -r w < " + dir + "/watch.pid\n"
                + "n=0; while group_running && [ $n -lt 50 ]; do sleep 0.1; n=$((n+1)); done\n"
                + "rm -rf " + dir + "\n"
                // The watcher ends by itself once the agent or its run directory is gone.
                + "n=0; while [ -n \"$w\" ] && running \"$w\" && [ $n -lt 20 ]; do sleep 0.1; n=$((n+1)); done\n"
                + "if group_running || [ -e " + dir + " ]; then echo left; else echo gone; fi\n";
        return s.exec(script, grace.plusSeconds(15)).stdout().contains("gone");
    }
}
