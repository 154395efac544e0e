package dev.skyward.agent;

import dev.skyward.ComputePool;
import dev.skyward.wire.NettyTuning;
import dev.skyward.wire.Protocol;
import dev.skyward.wire.thread.DaemonThreads;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Entry point of the agent jar. */
public final class AgentMain {

    private AgentMain() {
    }

    /**
     * Starts the agent and blocks until it exits.
     *
     * @param args see {@link AgentOptions#USAGE}
     * @throws Exception when the server cannot start
     */
    public static void main(String[] args) throws Exception {
        // SLF4J's first use (finding its provider, and the log's time format, which loads the JDK's
        // calendar data) took ~100 ms of a node's start before the server was built; it runs beside
        // that now. The agent waits for it before it routes System.err to the client.
        // Netty logs at debug level from its class initialisers meanwhile; SLF4J holds those calls and
        // replays them through the level filter once it is ready, and would say so in three warning
        // lines at the top of every node's log.
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        Thread logging = DaemonThreads.start(LoggerFactory::getILoggerFactory, "skyward-log-init");
        NettyTuning.forAgent();
        AgentOptions options;
        try {
            options = AgentOptions.parse(List.of(args));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        String token = System.getenv(Protocol.TOKEN_ENV);
        if (token == null || token.isBlank()) {
            System.err.println("the pool token is missing: set " + Protocol.TOKEN_ENV + " in the agent's environment");
            System.exit(2);
            return;
        }
        System.setProperty(ComputePool.Builder.NODE_POOL_PROPERTY, options.poolId());
        System.setProperty(ComputePool.Builder.NODE_RANK_PROPERTY, Integer.toString(options.rank()));
        Agent agent = new Agent(options, token);
        agent.start(logging);
        LoggerFactory.getLogger(AgentMain.class).info("agent rank {} of pool {} listening on {}:{}", options.rank(), options.poolId(), options.bind(),
                agent.port());
        agent.awaitExit();
    }
}
