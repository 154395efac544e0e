package dev.skyward.pool;

import dev.skyward.PoolConfigurationException;
import dev.skyward.PoolEvent;
import dev.skyward.ProvisioningException;
import dev.skyward.spi.Instance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's size: grows an elastic pool toward its maximum while tasks wait for room, gives back
 * the highest rank once it has been idle for the idle timeout (never below the minimum), and carries
 * out {@link dev.skyward.ComputePool#resize}. Every change is a {@link PoolEvent.Resized} with the
 * new hourly price.
 */
final class Autoscaler {

    private static final Logger LOG = LoggerFactory.getLogger(Autoscaler.class);

    private final String poolId;
    private final Ranks ranks;
    private final Dispatcher dispatcher;
    private final NodeSupply supply;
    private final NodeFactory factory;
    private final int concurrency;
    private final Duration idleTimeout;
    private final Duration timeout;
    private final Consumer<PoolEvent> events;
    private final ExecutorService workers;
    private final BooleanSupplier closing;
    private volatile int min;
    private volatile int max;

    Autoscaler(String poolId, Ranks ranks, Dispatcher dispatcher, NodeSupply supply, NodeFactory factory,
            int min, int max, int concurrency, Duration idleTimeout, Duration timeout, Consumer<PoolEvent> events,
            ExecutorService workers, BooleanSupplier closing) {
        this.poolId = poolId;
        this.ranks = ranks;
        this.dispatcher = dispatcher;
        this.supply = supply;
        this.factory = factory;
        this.min = min;
        this.max = max;
        this.concurrency = concurrency;
        this.idleTimeout = idleTimeout;
        this.timeout = timeout;
        this.events = events;
        this.workers = workers;
        this.closing = closing;
    }

    /** One look at the queue and the idle nodes; run every few hundred milliseconds for an elastic pool. */
    synchronized void tick() {
        if (closing.getAsBoolean()) {
            return;
        }
        int waiting = dispatcher.waiting();
        int starting = ranks.count(NodeState.STARTING);
        int slots = ranks.all().size();
        if (waiting > 0 && slots < max) {
            // One new node per share of waiting tasks (a node takes twice its concurrency ahead).
            int want = Math.min(max - slots, Math.max(0, (waiting + 2 * concurrency - 1) / (2 * concurrency) - starting));
            for (int i = 0; i < want; i++) {
                grow(waiting + " tasks waiting");
            }
        } else if (waiting == 0 && starting == 0) {
            List<NodeSlot> all = ranks.all();
            NodeSlot last = all.isEmpty() ? null : all.get(all.size() - 1);
            if (last != null && all.size() > min && last.state() == NodeState.READY
                    && System.nanoTime() - last.idleSinceNanos() >= idleTimeout.toNanos()) {
                shrink(last, "idle for " + idleTimeout.toSeconds() + " s");
            }
        }
    }

    /**
     * Grows or shrinks to {@code n} nodes and waits for it.
     *
     * @throws PoolConfigurationException {@code n} is outside the pool's bounds
     */
    void resize(int n, boolean elastic) {
        if (n < 1 || n > 1024) {
            throw new PoolConfigurationException("a pool has 1 to 1024 nodes; resize(" + n + ") is outside that");
        }
        if (elastic && (n < min || n > max)) {
            throw new PoolConfigurationException("resize(" + n + ") is outside this elastic pool's bounds nodes(" + min
                    + ", " + max + "); build it with wider bounds");
        }
        List<CompletableFuture<Void>> changes = new ArrayList<>();
        synchronized (this) {
            if (!elastic) {
                min = n;
                max = n;
            }
            List<NodeSlot> all = ranks.all();
            for (int i = all.size(); i < n; i++) {
                changes.add(grow("resize(" + n + ")"));
            }
            for (int i = all.size() - 1; i >= n; i--) {
                changes.add(shrink(all.get(i), "resize(" + n + ")"));
            }
        }
        for (CompletableFuture<Void> c : changes) {
            try {
                c.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                throw new ProvisioningException("resize(" + n + ") of pool " + poolId + " failed: "
                        + e.getCause().getMessage(), List.of(String.valueOf(e.getCause().getMessage())), e.getCause());
            }
        }
    }

    private CompletableFuture<Void> grow(String why) {
        NodeSlot slot = ranks.add();
        CompletableFuture<Void> done = new CompletableFuture<>();
        workers.execute(() -> {
            try {
                Instance instance = supply.launchOne(timeout);
                if (closing.getAsBoolean()) {
                    done.completeExceptionally(new IllegalStateException("the pool is closing"));
                    return;
                }
                NodeConnection node = factory.start(slot.rank, instance);
                int from = ranks.size();
                ranks.serve(slot, node, instance);
                resized(from, why);
                done.complete(null);
            } catch (Exception | LinkageError e) {
                if (!closing.getAsBoolean()) {
                    LOG.warn("pool {}: adding rank {} failed: {}", poolId, slot.rank, e.toString());
                    if (slot.state().canMoveTo(NodeState.GONE)) {
                        slot.gone("it could not be started: " + e.getMessage());
                        ranks.move(slot, NodeState.GONE);
                    }
                    ranks.dropIfLast(slot);
                    Instance left = slot.instance();
                    if (left != null) {
                        supply.terminate(left);
                    }
                }
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    private CompletableFuture<Void> shrink(NodeSlot slot, String why) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (slot.state() != NodeState.READY) {
            done.complete(null);
            return done;
        }
        ranks.move(slot, NodeState.DRAINING);
        NodeConnection node = slot.node();
        Instance instance = slot.instance();
        workers.execute(() -> {
            try {
                while (node.inFlight() > 0 && !node.isLost() && !closing.getAsBoolean()) {
                    Thread.sleep(100);
                }
                if (closing.getAsBoolean()) {
                    done.complete(null);
                    return;
                }
                int from = ranks.size();
                factory.stop(node);
                if (instance != null) {
                    supply.terminate(instance);
                }
                retireHighest(slot);
                resized(from, why);
                done.complete(null);
            } catch (Exception e) {
                LOG.warn("pool {}: giving back rank {} failed: {}", poolId, slot.rank, e.toString());
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    private void retireHighest(NodeSlot slot) {
        // Ranks leave from the top: wait until the slot is the highest (a higher one may still be leaving).
        for (int i = 0; i < 600; i++) {
            List<NodeSlot> all = ranks.all();
            if (all.get(all.size() - 1) == slot) {
                if (slot.state().canMoveTo(NodeState.RETIRED)) {
                    ranks.move(slot, NodeState.RETIRED);
                }
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void resized(int from, String why) {
        int to = ranks.size();
        events.accept(new PoolEvent.Resized(poolId, from, to, to * supply.nodePrice(), why));
    }
}
