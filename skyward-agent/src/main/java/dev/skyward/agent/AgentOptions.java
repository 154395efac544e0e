package dev.skyward.agent;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The agent's command line. Hand-parsed: a handful of flags written by our own launchers, and the
 * agent's start-up time is worth more than a parsing library's.
 *
 * @param workDir the agent's working directory (tasks run with it as their current directory)
 * @param portFile where the listening port is written once the server is up
 * @param cacheDir where shipped jars are kept by content hash
 * @param bind address to listen on; 127.0.0.1 unless a test says otherwise
 * @param port port to listen on, 0 for any free one
 * @param poolId the pool this agent serves
 * @param rank the node's rank
 * @param heartbeatGrace exit when the client has been silent this long
 * @param ttl hard cap on the agent's life, or {@code null}
 * @param removeWorkDirOnExit delete the work dir when exiting
 * @param onExpire shell command run when the agent gives up on its client (e.g. power the machine off), or {@code null}
 * @param spotNotice the EC2 instance metadata service to watch for a spot interruption notice, or {@code null}
 *     (only AWS spot nodes are given one)
 * @param spotPoll how often to look for the notice
 */
record AgentOptions(Path workDir, Path portFile, Path cacheDir, String bind, int port, String poolId, int rank,
        Duration heartbeatGrace, Duration ttl, boolean removeWorkDirOnExit, String onExpire, URI spotNotice,
        Duration spotPoll) {

    static final String USAGE = """
            usage: java -jar skyward-agent.jar --work-dir DIR --port-file FILE --pool ID --rank N
                   [--cache-dir DIR] [--bind 127.0.0.1] [--port 0] [--heartbeat-grace-ms 60000]
                   [--ttl-ms MS] [--remove-work-dir-on-exit] [--on-expire 'shell command']
                   [--spot-notice http://169.254.169.254] [--spot-poll-ms 2000]
            The pool token is read from the environment variable SKYWARD_TOKEN.""";

    static AgentOptions parse(List<String> args) {
        Path workDir = null;
        Path portFile = null;
        Path cacheDir = null;
        String bind = "127.0.0.1";
        int port = 0;
        String pool = null;
        int rank = -1;
        Duration grace = Duration.ofSeconds(60);
        Duration ttl = null;
        boolean remove = false;
        String onExpire = null;
        URI spotNotice = null;
        Duration spotPoll = SpotNoticeWatcher.DEFAULT_INTERVAL;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--work-dir" -> workDir = Path.of(value(args, ++i, a));
                case "--port-file" -> portFile = Path.of(value(args, ++i, a));
                case "--cache-dir" -> cacheDir = Path.of(value(args, ++i, a));
                case "--bind" -> bind = value(args, ++i, a);
                case "--port" -> port = number(args, ++i, a);
                case "--pool" -> pool = value(args, ++i, a);
                case "--rank" -> rank = number(args, ++i, a);
                case "--heartbeat-grace-ms" -> grace = Duration.ofMillis(number(args, ++i, a));
                case "--ttl-ms" -> ttl = Duration.ofMillis(Long.parseLong(value(args, ++i, a)));
                case "--remove-work-dir-on-exit" -> remove = true;
                case "--on-expire" -> onExpire = value(args, ++i, a);
                case "--spot-notice" -> spotNotice = uri(args, ++i, a);
                case "--spot-poll-ms" -> spotPoll = Duration.ofMillis(Math.max(100, number(args, ++i, a)));
                default -> throw new IllegalArgumentException("unknown option '" + a + "'\n" + USAGE);
            }
        }
        if (workDir == null || portFile == null || pool == null || rank < 0) {
            throw new IllegalArgumentException("--work-dir, --port-file, --pool and --rank are required\n" + USAGE);
        }
        if (cacheDir == null) {
            cacheDir = workDir.resolve("cache");
        }
        return new AgentOptions(workDir, portFile, cacheDir, bind, port, pool, rank, grace, ttl, remove, onExpire, spotNotice,
                spotPoll);
    }

    private static URI uri(List<String> args, int i, String flag) {
        String v = value(args, i, flag);
        try {
            URI u = new URI(v);
            if (!"http".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException(flag + " needs an http:// address, got '" + v + "'");
            }
            return u;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(flag + " needs an http:// address, got '" + v + "': " + e.getMessage());
        }
    }

    private static String value(List<String> args, int i, String flag) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
        }
        return args.get(i);
    }

    private static int number(List<String> args, int i, String flag) {
        String v = value(args, i, flag);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a number, got '" + v + "'");
        }
    }
}
