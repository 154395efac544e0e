package dev.skyward.agent;

import dev.skyward.wire.proto.AgentFrame;
import dev.skyward.wire.proto.HeartbeatAck;
import dev.skyward.wire.stream.Outbox;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Queue;
import java.util.Set;

/**
 * The agent's way back to its client. Frames produced while no session is connected (the
 * connection dropped and the client is reconnecting) are parked and sent when a session attaches,
 * so a task that finishes during a reconnect still reports its result.
 *
 * <p>After a re-attach the client asks which of its tasks survived; until it has asked, the link
 * remembers which results went out on the new session (only then: remembering every result of a
 * long session would grow without bound).
 */
final class Link {

    private final Queue<AgentFrame> parked = new ArrayDeque<>();
    private final Set<Long> answeredSinceReattach = new HashSet<>();
    private Outbox<AgentFrame> current;
    private boolean attachedBefore;
    private boolean tracking;

    void send(AgentFrame frame) {
        Outbox<AgentFrame> out;
        synchronized (this) {
            out = current;
            if (out == null || out.isDone()) {
                parked.add(frame);
                return;
            }
            if (tracking && frame.hasResult()) {
                answeredSinceReattach.add(frame.getResult().getTaskId());
            }
            out.enqueue(frame);
        }
        out.drain(); // outside the lock: it calls into gRPC
    }

    /**
     * Makes a new session current: parked frames go out first, then a heartbeat that tells the client
     * the session is live (it waits for one before asking which tasks survived).
     */
    void attach(Outbox<AgentFrame> outbox) {
        synchronized (this) {
            current = outbox;
            tracking = attachedBefore;
            attachedBefore = true;
            answeredSinceReattach.clear();
            AgentFrame f;
            while ((f = parked.poll()) != null) {
                if (tracking && f.hasResult()) {
                    answeredSinceReattach.add(f.getResult().getTaskId());
                }
                outbox.enqueue(f);
            }
            outbox.enqueue(AgentFrame.newBuilder().setHeartbeat(HeartbeatAck.getDefaultInstance()).build());
        }
        outbox.drain();
    }

    /** Whether a session is connected now. */
    synchronized boolean attached() {
        return current != null && !current.isDone();
    }

    synchronized void detach(Outbox<AgentFrame> outbox) {
        if (current == outbox) {
            current = null;
        }
    }

    /** Tasks whose results went out on the current session since it re-attached; stops remembering. */
    synchronized Set<Long> takeAnsweredSinceReattach() {
        Set<Long> answered = Set.copyOf(answeredSinceReattach);
        answeredSinceReattach.clear();
        tracking = false;
        return answered;
    }
}
