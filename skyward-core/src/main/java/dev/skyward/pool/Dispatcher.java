package dev.skyward.pool;

import dev.skyward.NodeLostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Sends each {@link Call} to a node, or keeps it until one can take it: unpinned calls wait (in
 * order) while no node takes work or, in an elastic pool, while every node has its share in flight;
 * calls pinned to a rank wait while the rank is being replaced. Waiting calls move on whenever a
 * node becomes ready or a task ends ({@link #drain}); they fail once no node can ever take them.
 */
final class Dispatcher {

    private final Ranks ranks;
    private final Scheduler scheduler;
    private final int room;
    private final ArrayDeque<Call<?>> waiting = new ArrayDeque<>();
    private final List<Call<?>> pinned = new ArrayList<>();
    private volatile int queued;
    private volatile RuntimeException closed;

    /**
     * @param room tasks in flight per node before further ones wait here ({@code Integer.MAX_VALUE}:
     *     never, the nodes queue them)
     */
    Dispatcher(Ranks ranks, Scheduler scheduler, int room) {
        this.ranks = ranks;
        this.scheduler = scheduler;
        this.room = room;
    }

    /** Sends the call now if a node can take it, else keeps it until one can. */
    void dispatch(Call<?> call) {
        if (closed != null) {
            call.fail(closed);
            return;
        }
        if (call.rank < 0 && queued == 0) {
            NodeConnection n = scheduler.pick(ranks.ready(), room);
            if (n != null) {
                call.sendTo(n);
                return;
            }
        } else if (call.rank >= 0) {
            NodeSlot s = ranks.get(call.rank);
            if (s != null && s.state() == NodeState.READY) {
                call.sendTo(s.node());
                return;
            }
        }
        synchronized (this) {
            if (call.rank < 0) {
                waiting.add(call);
                queued = waiting.size();
            } else {
                pinned.add(call);
            }
        }
        drain();
    }

    /** Unpinned calls waiting for room. */
    int waiting() {
        return queued;
    }

    /** Sends what can be sent now, and fails what never can. */
    void drain() {
        if (queued == 0 && pinnedEmpty()) {
            return;
        }
        synchronized (this) {
            for (Iterator<Call<?>> it = pinned.iterator(); it.hasNext(); ) {
                Call<?> c = it.next();
                NodeSlot s = ranks.get(c.rank);
                if (s != null && s.state() == NodeState.READY) {
                    it.remove();
                    c.sendTo(s.node());
                } else if (s == null || !s.state().mayServe() || closed != null) {
                    it.remove();
                    c.fail(closed != null ? closed : rankGone(c, s));
                }
            }
            while (!waiting.isEmpty()) {
                NodeConnection n = scheduler.pick(ranks.ready(), room);
                if (n == null) {
                    break;
                }
                waiting.poll().sendTo(n);
            }
            if (!waiting.isEmpty() && (closed != null || (ranks.ready().isEmpty() && !ranks.anyMayServe()))) {
                for (Call<?> c : waiting) {
                    c.fail(closed != null ? closed : everyNodeGone(c));
                }
                waiting.clear();
            }
            queued = waiting.size();
        }
    }

    private synchronized boolean pinnedEmpty() {
        return pinned.isEmpty();
    }

    /** Fails every waiting call with {@code why}, and every later one. */
    void close(RuntimeException why) {
        closed = why;
        drain();
        synchronized (this) {
            waiting.forEach(c -> c.fail(why));
            waiting.clear();
            pinned.forEach(c -> c.fail(why));
            pinned.clear();
            queued = 0;
        }
    }

    private static NodeLostException rankGone(Call<?> c, NodeSlot s) {
        if (s == null) {
            return c.lostWith("the pool has no rank " + c.rank + " any more (it shrank)");
        }
        String lost = s.info() != null && s.info().isLost() ? s.info().lostReason() : null;
        String why = "rank " + c.rank + " is not replaced: " + s.goneReason();
        return c.hasLoss() || lost == null ? c.lostWith(why) : new NodeLostException(c.rank, lost + "; " + why, null);
    }

    private NodeLostException everyNodeGone(Call<?> c) {
        String first = ranks.infos().stream().filter(i -> i.isLost()).map(i -> "; first: " + i.lostReason())
                .findFirst().orElse("");
        return c.lostWith("every node of the pool has been lost and none is being replaced; close the pool and "
                + "build a new one" + (c.hasLoss() ? "" : first));
    }
}
