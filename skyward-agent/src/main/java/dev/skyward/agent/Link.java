package dev.skyward.agent;

import dev.skyward.wire.proto.AgentFrame;
import dev.skyward.wire.stream.Outbox;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The agent's way back to its client. Frames produced while no session is connected (the
 * connection dropped and the client is reconnecting) are parked and sent when a session attaches,
 * so a task that finishes during a reconnect still reports its result.
 */
final class Link {

    private final Queue<AgentFrame> parked = new ConcurrentLinkedQueue<>();
    private volatile Outbox<AgentFrame> current;

    void send(AgentFrame frame) {
        Outbox<AgentFrame> out = current;
        if (out != null && !out.isDone()) {
            out.send(frame);
        } else {
            parked.add(frame);
        }
    }

    synchronized void attach(Outbox<AgentFrame> outbox) {
        current = outbox;
        AgentFrame f;
        while ((f = parked.poll()) != null) {
            outbox.send(f);
        }
    }

    synchronized void detach(Outbox<AgentFrame> outbox) {
        if (current == outbox) {
            current = null;
        }
    }

    boolean connected() {
        Outbox<AgentFrame> out = current;
        return out != null && !out.isDone();
    }
}
