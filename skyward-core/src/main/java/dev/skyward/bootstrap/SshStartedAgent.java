package dev.skyward.bootstrap;

import dev.skyward.node.ExitDescription;
import dev.skyward.node.LogTail;
import dev.skyward.node.StartedAgent;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent on a remote node, reached through an SSH local port forward. {@link #host()}:{@link #port()}
 * is the local end, fixed for the agent's life: when the SSH connection drops, this reconnects with
 * backoff for up to the reconnect window and re-opens the forward on the same local port, so a gRPC
 * channel aimed at it recovers by itself. {@link #awaitReachable(Duration)} tells the engine whether
 * to wait or declare the node lost.
 *
 * <p>While connected, a watcher script on the node waits for the agent to end; when it does, the
 * watcher sends the exit status its wrapper recorded and the end of its log, and {@link #exited()}
 * completes with them at once, where a broken stream alone could be a network blip. When the
 * connection is what broke, the reconnect reads them instead, or says the connection was lost.
 *
 * <pre>{@code
 * SshStartedAgent agent = launcher.start(instance, command);
 * ManagedChannel ch = NettyChannelBuilder.forAddress(agent.host(), agent.port()).usePlaintext().build();
 * // on UNAVAILABLE: if (!agent.awaitReachable(Duration.ofSeconds(30))) fail in-flight tasks with NodeLostException
 * agent.destroy(Duration.ofSeconds(5));   // after asking the agent to shut down
 * }</pre>
 */
public final class SshStartedAgent implements StartedAgent {

    private static final Logger log = LoggerFactory.getLogger(SshStartedAgent.class);

    /** Where the link to the agent stands. */
    public enum LinkState {
        /** SSH and forward up. */
        CONNECTED,
        /** Connection dropped; retrying within the reconnect window. */
        RECONNECTING,
        /** Reconnection failed, or the agent is gone: the node is lost. */
        LOST,
        /** {@link #destroy} ran. */
        CLOSED
    }

    private final SshTarget target;
    private final AgentProcess process;
    private final Duration reconnectWindow;
    private final BootstrapReport report;
    private final List<String> cachedFiles;
    private final int localPort;
    private final Object lock = new Object();
    private SshSession session;
    private PortForward forward;
    private LinkState state = LinkState.CONNECTED;
    private String lostReason = "";
    private Thread reconnector;
    private String dropReason = "";
    private final CompletableFuture<String> exited = new CompletableFuture<>();

    SshStartedAgent(SshTarget target, SshSession session, AgentProcess process, PortForward forward,
            Duration reconnectWindow, BootstrapReport report, List<String> cachedFiles) {
        this.target = target;
        this.session = session;
        this.process = process;
        this.forward = forward;
        this.localPort = forward.localPort();
        this.reconnectWindow = reconnectWindow;
        this.report = report;
        this.cachedFiles = List.copyOf(cachedFiles);
        watch(session);
        startWatcher(session);
    }

    /**
     * Completes once the node is given up on, with why: how the agent ended (exit code or signal, and
     * its log's last lines), or that the SSH connection dropped and could not be re-established.
     */
    @Override
    public CompletableFuture<String> exited() {
        return exited;
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return localPort;
    }

    /** The node. */
    public SshTarget target() {
        return target;
    }

    /** The agent's pid on the node. */
    public long pid() {
        return process.pid();
    }

    /** The agent's port on the node's 127.0.0.1. */
    public int remotePort() {
        return process.port();
    }

    /** The agent's run directory on the node (removed on destroy). */
    public String runDir() {
        return process.runDir();
    }

    /** The node-side paths of the cached jars (agent first); they stay for the next pool. */
    public List<String> cachedFiles() {
        return cachedFiles;
    }

    /** What the bootstrap took and sent. */
    public BootstrapReport report() {
        return report;
    }

    /** The link's state. */
    public LinkState linkState() {
        synchronized (lock) {
            return state;
        }
    }

    /**
     * Waits until the link is up again after a drop. Returns at once when connected.
     *
     * @param timeout how long to wait at most
     * @return true when connected; false when the node is lost, closed, or still reconnecting at the timeout
     */
    @Override
    public boolean awaitReachable(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            // A transport that died a moment ago may not have reported it yet: count it as reconnecting.
            while (state == LinkState.RECONNECTING || (state == LinkState.CONNECTED && !session.isConnected())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    lock.wait(Math.max(1, Math.min(50, left / 1_000_000)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return state == LinkState.CONNECTED;
        }
    }

    /** Why the node counts as lost, or empty. */
    public String lostReason() {
        synchronized (lock) {
            return lostReason;
        }
    }

    @Override
    public boolean isAlive() {
        if (exited.isDone()) {
            return false;
        }
        SshSession s;
        synchronized (lock) {
            if (state == LinkState.LOST || state == LinkState.CLOSED) {
                return false;
            }
            if (state == LinkState.RECONNECTING) {
                return true; // not known yet; awaitReachable decides
            }
            s = session;
        }
        try {
            return process.alive(s);
        } catch (IOException e) {
            // A failing exec means the link is in trouble; the disconnect listener takes it from here.
            return linkState() != LinkState.LOST;
        }
    }

    /** Runs the node-side watcher on {@code s} until the agent ends or the connection closes. */
    private void startWatcher(SshSession s) {
        dev.skyward.wire.thread.DaemonThreads.start(() -> {
            try {
                ExecResult r = s.exec(process.watchScript(false), Duration.ofDays(365));
                report(r.stdout());
            } catch (IOException e) {
                // The connection closed: destroy() did, or it broke and the disconnect listener reconnects.
                log.debug("watcher on {} ended: {}", target, e.getMessage());
            }
        }, "skyward-watch-" + target.host());
    }

    /**
     * Reads a watcher's report; without one (the channel closed first) nothing is known yet.
     *
     * @return whether it held a report
     */
    private boolean report(String out) {
        int at = out.indexOf(AgentProcess.EXIT_MARK);
        if (at < 0) {
            return false;
        }
        int eol = out.indexOf('\n', at);
        String status = out.substring(at + AgentProcess.EXIT_MARK.length(), eol < 0 ? out.length() : eol).trim();
        String log = eol < 0 ? "" : out.substring(eol + 1);
        String how;
        if (status.matches("\\d+")) {
            how = ExitDescription.of(Integer.parseInt(status));
        } else if (status.equals("gone")) {
            how = "the agent (pid " + process.pid() + ") is no longer running on " + target
                    + " and left no exit status (an agent removes its run directory when it gives up on its client,"
                    + " and when it ends while no client watches)";
        } else {
            how = "the agent (pid " + process.pid() + ") is no longer running on " + target
                    + " and its exit status was not recorded (its wrapper was killed too)";
        }
        lost(how + (status.equals("gone") ? "" : LogTail.describe(LogTail.lines(log, log.length() >= 8192))));
        return true;
    }

    private void watch(SshSession s) {
        s.client().getTransport().setDisconnectListener((reason, message) -> onDisconnect(s, reason + " " + message));
    }

    private void onDisconnect(SshSession dropped, String why) {
        synchronized (lock) {
            if (state != LinkState.CONNECTED || dropped != session) {
                return;
            }
            log.warn("SSH connection to {} dropped ({}); reconnecting for up to {} s", target, why,
                    reconnectWindow.toSeconds());
            state = LinkState.RECONNECTING;
            dropReason = why.strip();
            forward.close();
            reconnector = dev.skyward.wire.thread.DaemonThreads.start(this::reconnect, "skyward-reconnect-" + target.host());
        }
    }

    private void reconnect() {
        long deadline = System.nanoTime() + reconnectWindow.toNanos();
        long backoffMs = 100;
        String last = "";
        while (System.nanoTime() < deadline) {
            synchronized (lock) {
                if (state != LinkState.RECONNECTING) {
                    return;
                }
            }
            try {
                Duration left = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
                Duration step = left.compareTo(Duration.ofSeconds(10)) < 0 ? left : Duration.ofSeconds(10);
                SshSession s = SshConnector.connect(target, step, step);
                if (!process.alive(s)) {
                    try {
                        if (!report(s.exec(process.watchScript(true), Duration.ofSeconds(10)).stdout())) {
                            lost("the agent (pid " + process.pid() + ") is no longer running on " + target);
                        }
                    } catch (IOException e) {
                        lost("the agent (pid " + process.pid() + ") is no longer running on " + target
                                + " (its exit status could not be read: " + e.getMessage() + ")");
                    } finally {
                        s.close();
                    }
                    return;
                }
                PortForward f = s.forward(process.port(), localPort);
                synchronized (lock) {
                    if (state != LinkState.RECONNECTING) {
                        f.close();
                        s.close();
                        return;
                    }
                    session.close();
                    session = s;
                    forward = f;
                    state = LinkState.CONNECTED;
                    watch(s);
                    startWatcher(s);
                    lock.notifyAll();
                }
                log.info("reconnected to {}; forward 127.0.0.1:{} restored", target, localPort);
                return;
            } catch (HostKeyMismatchException e) {
                lost(e.getMessage());
                return;
            } catch (IOException e) {
                last = e.getMessage();
                log.debug("reconnect to {} failed: {}", target, last);
            }
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                lost("interrupted while reconnecting");
                return;
            }
            backoffMs = Math.min(2000, backoffMs * 2);
        }
        String dropped;
        synchronized (lock) {
            dropped = dropReason;
        }
        lost("the SSH connection to " + target + " was lost (" + dropped + ") and could not be re-established within "
                + reconnectWindow.toSeconds() + " s: " + last);
    }

    private void lost(String reason) {
        synchronized (lock) {
            if (state == LinkState.CLOSED || state == LinkState.LOST) {
                return;
            }
            log.warn("node {} lost: {}", target, reason);
            state = LinkState.LOST;
            lostReason = reason;
            lock.notifyAll();
        }
        exited.complete(reason);
    }

    @Override
    public boolean destroy(Duration grace) {
        SshSession s;
        synchronized (lock) {
            if (state == LinkState.CLOSED) {
                return true;
            }
            state = LinkState.CLOSED;
            lock.notifyAll();
            forward.close();
            s = session;
        }
        boolean gone = false;
        try {
            try {
                if (!s.isConnected()) {
                    throw new IOException("not connected");
                }
                gone = process.kill(s, grace);
            } catch (IOException broken) {
                // One fresh connection for clean-up; the agent's own switch covers the case where this fails.
                s.close();
                s = SshConnector.connect(target, Duration.ofSeconds(10), Duration.ofSeconds(10));
                gone = process.kill(s, grace);
            }
            if (!gone) {
                log.warn("agent pid {} or its run dir {} still present on {}", process.pid(), process.runDir(), target);
            }
        } catch (IOException e) {
            log.warn("could not clean up the agent on {}: {}; it stops by itself when its heartbeat grace passes",
                    target, e.getMessage());
        } finally {
            s.close();
        }
        return gone;
    }

    /**
     * Drops the link without stopping the agent, as a crashed client would; the agent's dead-man's
     * switch has to end it. For tests and for handing a node over to another process.
     */
    void abandon() {
        synchronized (lock) {
            state = LinkState.CLOSED;
            lock.notifyAll();
            forward.close();
            session.close();
        }
    }

    @Override
    public String toString() {
        return "agent pid " + process.pid() + " on " + target + " via 127.0.0.1:" + localPort;
    }
}
