package dev.skyward.agent;

import dev.skyward.wire.proto.AgentFrame;
import dev.skyward.wire.proto.HeartbeatAck;
import dev.skyward.wire.stream.Outbox;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's way back to its client. Frames produced while no session is connected (the
 * connection dropped and the client is reconnecting) are parked and sent when a session attaches,
 * so a task that finishes during a reconnect still reports its result. The link also remembers which
 * results went out on the current session: those are the ones the client can still count on.
 */
final class Link {

    private final Queue<AgentFrame> parked = new ArrayDeque<>();
    private final Set<Long> answeredThisSession = ConcurrentHashMap.newKeySet();
    private Outbox<AgentFrame> current;

    synchronized void send(AgentFrame frame) {
        if (current != null && !current.isDone()) {
            current.send(frame);
            if (frame.hasResult()) {
                answeredThisSession.add(frame.getResult().getTaskId());
            }
        } else {
            parked.add(frame);
        }
    }

    /**
     * Makes a new session current: parked frames go out first, then a heartbeat that tells the client
     * the session is live (it waits for one before asking which tasks survived).
     */
    synchronized void attach(Outbox<AgentFrame> outbox) {
        answeredThisSession.clear();
        current = outbox;
        AgentFrame f;
        while ((f = parked.poll()) != null) {
            send(f);
        }
        outbox.send(AgentFrame.newBuilder().setHeartbeat(HeartbeatAck.getDefaultInstance()).build());
    }

    synchronized void detach(Outbox<AgentFrame> outbox) {
        if (current == outbox) {
            current = null;
        }
    }

    /** Tasks whose results went out on the current session. */
    Set<Long> answeredThisSession() {
        return Set.copyOf(answeredThisSession);
    }
}
