package dev.skyward.pool;

import dev.skyward.ComputePool;
import dev.skyward.MapTask;
import dev.skyward.NodeInfo;
import dev.skyward.NodeLostException;
import dev.skyward.OutputListener;
import dev.skyward.PoolClosedException;
import dev.skyward.PoolConfigurationException;
import dev.skyward.PoolEvent;
import dev.skyward.PoolListener;
import dev.skyward.PoolNode;
import dev.skyward.PoolState;
import dev.skyward.SkywardException;
import dev.skyward.Task;
import dev.skyward.TaskFailedException;
import dev.skyward.TaskSerializationException;
import dev.skyward.bootstrap.PoolKey;
import dev.skyward.classload.CodeServer;
import dev.skyward.classload.SnippetStatics;
import dev.skyward.console.ConsoleRenderer;
import dev.skyward.local.Local;
import dev.skyward.node.AgentCommand;
import dev.skyward.node.AgentJar;
import dev.skyward.node.AgentLauncher;
import dev.skyward.node.NodeEnvironment;
import dev.skyward.node.StartedAgent;
import dev.skyward.offer.Provisioned;
import dev.skyward.offer.Provisioner;
import dev.skyward.serial.CaptureInspector;
import dev.skyward.spi.Instance;
import dev.skyward.spi.PoolSpec;
import dev.skyward.spi.Provider;
import dev.skyward.wire.serial.ErrorCodec;
import dev.skyward.wire.serial.MapCall;
import dev.skyward.wire.serial.Serialization;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's {@link ComputePool}: provisions through a provider, starts an agent per instance,
 * connects to each, sends tasks, and tears everything down on close.
 */
final class EnginePool implements ComputePool {

    private static final Logger LOG = LoggerFactory.getLogger(EnginePool.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long SPIN_NANOS = 150_000;

    private final PoolSpec spec;
    private final String id;
    private final String token;
    private final Events events;
    private final PoolLifecycle lifecycle;
    private final OutputListener output;
    private final CodeServer code = new CodeServer();
    private final AtomicLong taskIds = new AtomicLong();
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService heartbeats;
    private final ClientPause pause;
    private final ExecutorService completions;
    private final ExecutorService codeExecutor;
    private final List<StartedAgent> agents = new ArrayList<>();
    /** The provider's instance id behind each agent: an agent whose machine the cloud took is gone with it. */
    private final Map<StartedAgent, String> machines = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile List<NodeConnection> nodes = List.of();
    /** Nodes connected so far, heartbeated from the moment they connect: a slow node's bootstrap
     *  (image install, cold upload) must not let the agents already started time out. */
    private final List<NodeConnection> connected = new CopyOnWriteArrayList<>();
    /** This pool's ephemeral SSH key, made when first needed: its public half goes to providers that create machines. */
    private PoolKey poolKey;
    private volatile Scheduler scheduler;
    private Provisioned provisioned;

    private EnginePool(PoolSpec spec) {
        this.spec = spec;
        this.id = spec.name() + "-" + HexFormat.of().formatHex(bytes(3));
        this.token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(32));
        List<PoolListener> listeners = new ArrayList<>();
        if (spec.console()) {
            listeners.add(new ConsoleRenderer());
        }
        listeners.addAll(spec.listeners());
        this.events = new Events(listeners);
        this.lifecycle = new PoolLifecycle((from, to) -> events.publish(new PoolEvent.StateChanged(id, from, to)));
        this.output = spec.output() != null ? spec.output() : ConsoleRenderer.taskOutput();
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(daemon("skyward-heartbeat-" + id));
        this.pause = new ClientPause(spec.heartbeatGrace());
        this.completions = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                daemon("skyward-complete-" + id));
        this.codeExecutor = Executors.newCachedThreadPool(daemon("skyward-code-" + id));
        ClassLoader likely = Thread.currentThread().getContextClassLoader();
        Serialization.warmUpInBackground(likely != null ? likely : EnginePool.class.getClassLoader(),
                (Task<Object>) ctx -> null);
    }

    static EnginePool start(PoolSpec spec) {
        EnginePool pool = new EnginePool(spec);
        PoolRegistry.register(pool);
        try {
            pool.provisionAndStart();
            return pool;
        } catch (RuntimeException | Error e) {
            pool.lifecycle.tryMoveTo(PoolState.FAILED);
            // FAILED is a way through, not an end: cleanup runs as a close, and the pool ends CLOSED.
            pool.lifecycle.tryMoveTo(PoolState.CLOSING);
            try {
                pool.shutDown(p -> new PoolClosedException("pool " + pool.id + " failed to start"));
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private void provisionAndStart() {
        lifecycle.moveTo(PoolState.PROVISIONING);
        List<Provider> providers = spec.providers().isEmpty() ? List.of(new Local()) : spec.providers();
        // The pool's key is made only when a provider may log in with it (not for the local one).
        boolean createsMachines = providers.stream().anyMatch(p -> !(p instanceof Local));
        provisioned = new Provisioner().provision(spec, providers, id,
                createsMachines ? poolKey().publicKey() : null, events::publish);
        lifecycle.moveTo(PoolState.STARTING);

        List<Instance> instances = provisioned.instances().stream()
                .sorted(Comparator.comparingInt(Instance::launchIndex).thenComparing(Instance::id))
                .limit(spec.nodes()).toList();
        String head = instances.get(0).clusterAddress();
        AgentLauncher launcher = new NodeStarter(provisioned.provider(), spec, this::poolKey, events::publish);
        heartbeats.scheduleWithFixedDelay(this::heartbeat, 500, 500, TimeUnit.MILLISECONDS);

        ExecutorService starters = Executors.newFixedThreadPool(instances.size(), daemon("skyward-start-" + id));
        try {
            List<Future<NodeConnection>> futures = new ArrayList<>();
            for (int rank = 0; rank < instances.size(); rank++) {
                int r = rank;
                futures.add(starters.submit(() -> startNode(r, instances.get(r), instances.size(), head, launcher)));
            }
            long deadline = startNanos + spec.provisionTimeout().toNanos();
            List<NodeConnection> started = new ArrayList<>();
            for (Future<NodeConnection> f : futures) {
                started.add(await(f, deadline));
            }
            nodes = List.copyOf(started);
        } finally {
            starters.shutdownNow();
        }
        scheduler = new Scheduler(nodes, spec.scheduling());
        lifecycle.moveTo(PoolState.READY);
    }

    private NodeConnection startNode(int rank, Instance instance, int count, String head, AgentLauncher launcher)
            throws Exception {
        AgentCommand command = new AgentCommand(AgentJar.get().path(), id, rank, token,
                NodeEnvironment.of(id, rank, count, head, spec.masterPort(), provisioned.offer().accelerator(),
                        mergedEnv(), token),
                spec.heartbeatGrace(), spec.maxNodeLifetime(), AgentCommand.DEFAULT_JVM_OPTIONS)
                .withJvmOptions(spec.agentJvmOptions());
        StartedAgent agent = launcher.start(instance, command);
        synchronized (agents) {
            agents.add(agent);
        }
        machines.put(agent, instance.id());
        NodeInfo info = new NodeInfo(rank, instance.provider(), instance.id(), instance.clusterAddress(),
                provisioned.offer().accelerator());
        NodeConnection c = new NodeConnection(info, agent, id, token, code, codeExecutor, output,
                spec.heartbeatGrace(), pause, lost -> events.publish(new PoolEvent.NodeLost(id, lost, lost.lostReason())));
        c.onInterruption(notice -> {
            nodePreempted(c, notice.describe());
            events.publish(new PoolEvent.NodePreempting(id, c.info(), notice.action(), notice.time()));
        });
        c.connect(spec.concurrency(), Duration.ofSeconds(30));
        connected.add(c);
        events.publish(new PoolEvent.NodeReady(id, info, Duration.ofNanos(System.nanoTime() - startNanos)));
        return c;
    }

    /**
     * The cloud announced it will take this node's machine (a spot interruption notice): called once,
     * on a pool thread (not gRPC's), before listeners hear of it. Marks the node draining: the
     * scheduler sends it no new work, its running tasks may finish. The place to start its replacement
     * at once (asynchronously: the event waits for this to return), before the machine goes.
     */
    void nodePreempted(NodeConnection node, String why) {
        node.drain(why);
    }

    private Map<String, String> mergedEnv() {
        Map<String, String> env = new LinkedHashMap<>(spec.image().env());
        env.putAll(spec.env());
        return env;
    }

    private synchronized PoolKey poolKey() {
        if (poolKey == null) {
            poolKey = PoolKey.generate(id);
        }
        return poolKey;
    }

    private NodeConnection await(Future<NodeConnection> f, long deadlineNanos) {
        try {
            return f.get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new SkywardException("nodes of pool " + id + " were not ready within the provisioning timeout of "
                    + spec.provisionTimeout() + "; raise provisionTimeout() if start-up is slow here", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw new SkywardException("starting a node of pool " + id + " failed: " + c.getMessage(), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SkywardException("interrupted while starting pool " + id, e);
        }
    }

    private void heartbeat() {
        pause.beat();
        for (NodeConnection n : connected) {
            n.heartbeat();
        }
    }

    // ---- the public API ----

    @Override
    public String id() {
        return id;
    }

    @Override
    public PoolState state() {
        return lifecycle.state();
    }

    @Override
    public List<NodeInfo> nodes() {
        return nodes.stream().map(NodeConnection::info).toList();
    }

    @Override
    public int tasksPerNode() {
        return spec.concurrency();
    }

    @Override
    public <T> T run(Task<T> task) {
        return runOn(scheduler().pick(), task);
    }

    @Override
    public <T> CompletableFuture<T> submit(Task<T> task) {
        return submitTo(scheduler().pick(), task);
    }

    @Override
    public <T> Stream<T> stream(Task<? extends Iterator<? extends T>> producer, int window) {
        if (window < 1) {
            throw new PoolConfigurationException("the stream window (elements ahead of the consumer) must be at least 1, "
                    + "was " + window);
        }
        NodeConnection node = scheduler().pick();
        byte[] payload = encode(producer, loaderOf(producer), "task");
        PendingTask p = new PendingTask(taskIds.incrementAndGet(), node.rank(), loaderOf(producer));
        StreamedResult<T> elements = new StreamedResult<>(node, p, window, bytes -> decode(p, bytes),
                error -> translate(p, error));
        synchronized (node.snippets()) {
            SnippetStatics.Shipment snippets = code.statics().shipment(producer, node.snippets());
            node.send(p, payload, snippets, window);
        }
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(elements, Spliterator.ORDERED), false)
                .onClose(elements::close);
    }

    private <T> T runOn(NodeConnection node, Task<T> task) {
        return await(send(node, task, encode(task, loaderOf(task), "task")));
    }

    private <T> CompletableFuture<T> submitTo(NodeConnection node, Task<T> task) {
        return future(node, send(node, task, encode(task, loaderOf(task), "task")));
    }

    @Override
    public <T> List<T> broadcast(Task<T> task) {
        Scheduler s = scheduler();
        byte[] payload = encode(task, loaderOf(task), "task");
        List<PendingTask> sent = new ArrayList<>();
        for (NodeConnection n : nodes) {
            sent.add(send(n, task, payload));
        }
        return awaitAll(sent);
    }

    @Override
    public <T> List<T> parallel(Collection<? extends Task<? extends T>> tasks) {
        Scheduler s = scheduler();
        List<byte[]> payloads = new ArrayList<>();
        int i = 0;
        for (Task<? extends T> t : tasks) {
            payloads.add(encode(t, loaderOf(t), "task " + i++));
        }
        List<PendingTask> sent = new ArrayList<>();
        i = 0;
        for (Task<? extends T> t : tasks) {
            sent.add(send(s.pick(), t, payloads.get(i++)));
        }
        return awaitAll(sent);
    }

    @Override
    public <I, T> List<T> map(Collection<? extends I> items, MapTask<? super I, ? extends T> fn) {
        Scheduler s = scheduler();
        ClassLoader loader = loaderOf(fn);
        code.statics().prepare(fn, "map function");
        List<byte[]> payloads = new ArrayList<>(items.size());
        int i = 0;
        for (I item : items) {
            if (item != null) {
                CaptureInspector.check(item, "map element " + i);
            }
            payloads.add(serialize(new MapCall<I, T>(fn, item), loader, "map element " + i));
            i++;
        }
        List<PendingTask> sent = new ArrayList<>(payloads.size());
        for (byte[] p : payloads) {
            sent.add(send(s.pick(), fn, p));
        }
        return awaitAll(sent);
    }

    @Override
    public PoolNode node(int rank) {
        List<NodeConnection> all = nodes;
        if (rank < 0 || rank >= all.size()) {
            throw new IllegalArgumentException("rank " + rank + " is not in this pool of " + all.size()
                    + " nodes; ranks go from 0 to " + (all.size() - 1));
        }
        NodeConnection n = all.get(rank);
        return new PoolNode() {
            @Override
            public int rank() {
                return rank;
            }

            @Override
            public NodeInfo info() {
                return n.info();
            }

            @Override
            public <T> T run(Task<T> task) {
                return runOn(n, task);
            }

            @Override
            public <T> CompletableFuture<T> submit(Task<T> task) {
                return submitTo(n, task);
            }

            @Override
            public String toString() {
                return "node " + rank + " of " + id;
            }
        };
    }

    @Override
    public void close() {
        if (!lifecycle.tryMoveTo(PoolState.CLOSING)) {
            if (lifecycle.state() == PoolState.CLOSING) {
                try {
                    lifecycle.awaitClosed();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return;
        }
        shutDown(p -> new PoolClosedException("pool " + id + " was closed while task " + p.id
                + " was waiting or running on node " + p.rank));
    }

    /** Closes a pool the program left open, saying so where the user looks (the console, listeners). */
    void closeAtExit() {
        if (lifecycle.state() != PoolState.CLOSING && lifecycle.state() != PoolState.CLOSED) {
            events.publish(new PoolEvent.ClosingAtExit(id));
        }
        close();
    }

    @Override
    public String toString() {
        return "ComputePool[" + id + ", " + lifecycle.state() + ", " + nodes.size() + " nodes]";
    }

    // ---- sending and receiving ----

    private Scheduler scheduler() {
        Scheduler s = scheduler;
        PoolState state = lifecycle.state();
        if (s == null || state != PoolState.READY) {
            throw new PoolClosedException("pool " + id + " does not accept tasks: it is " + state);
        }
        return s;
    }

    private byte[] encode(Object task, ClassLoader loader, String label) {
        scheduler();
        code.statics().prepare(task, label);
        return serialize(task, loader, label);
    }

    private byte[] serialize(Object task, ClassLoader loader, String label) {
        code.register(loader);
        try {
            return Serialization.forLoader(loader).serialize(task);
        } catch (RuntimeException e) {
            throw new TaskSerializationException("the " + label + " cannot be serialized: " + e.getMessage(), e);
        }
    }

    private PendingTask send(NodeConnection node, Object task, byte[] payload) {
        // Locked so that the node receives its tasks in the order their variable values were diffed.
        synchronized (node.snippets()) {
            SnippetStatics.Shipment snippets = code.statics().shipment(task, node.snippets());
            return node.send(taskIds.incrementAndGet(), payload, snippets, loaderOf(task));
        }
    }

    private static ClassLoader loaderOf(Object task) {
        ClassLoader l = task.getClass().getClassLoader();
        return l != null ? l : ClassLoader.getSystemClassLoader();
    }

    private <T> T await(PendingTask p) {
        spinBriefly(p);
        try {
            return decode(p, p.raw.get());
        } catch (InterruptedException e) {
            nodeOf(p).cancel(p.id);
            Thread.currentThread().interrupt();
            throw new SkywardException("interrupted while waiting for task " + p.id + "; the task was cancelled", e);
        } catch (ExecutionException e) {
            throw translate(p, e.getCause());
        }
    }

    /**
     * Waits a few tens of microseconds on the CPU before parking: a short task's answer usually
     * arrives within that, and waking a parked thread costs more than the answer took (measured on
     * this kind of VM: p50 round trip 150 -> ~100 us).
     */
    private static void spinBriefly(PendingTask p) {
        long until = System.nanoTime() + SPIN_NANOS;
        while (!p.raw.isDone() && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    private <T> List<T> awaitAll(List<PendingTask> sent) {
        List<T> results = new ArrayList<>(sent.size());
        RuntimeException first = null;
        for (PendingTask p : sent) {
            try {
                results.add(await(p));
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
                results.add(null);
            }
        }
        if (first != null) {
            throw first;
        }
        return results;
    }

    private <T> CompletableFuture<T> future(NodeConnection node, PendingTask p) {
        TaskFuture<T> f = new TaskFuture<>(node, p.id);
        p.raw.whenCompleteAsync((bytes, error) -> {
            if (error != null) {
                f.completeExceptionally(translate(p, error));
            } else {
                try {
                    f.complete(decode(p, bytes));
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            }
        }, completions);
        return f;
    }

    @SuppressWarnings("unchecked")
    private <T> T decode(PendingTask p, byte[] bytes) {
        try {
            return (T) Serialization.forLoader(p.loader).deserialize(bytes);
        } catch (RuntimeException e) {
            throw new TaskSerializationException("the result of task " + p.id + " from node " + p.rank
                    + " cannot be deserialized here: " + e.getMessage(), e);
        }
    }

    private RuntimeException translate(PendingTask p, Throwable error) {
        if (error instanceof RemoteFailure rf && rf.info.getClassName().equals(NodeLostException.class.getName())) {
            return new NodeLostException(p.rank, rf.info.getMessage(), null);
        }
        if (error instanceof RemoteFailure rf) {
            Throwable cause = ErrorCodec.decode(rf.info, p.loader);
            return RemoteTrace.onTop(new TaskFailedException(p.id, p.rank, cause), cause, p.rank);
        }
        if (error instanceof PoolClosedException pc) {
            return new PoolClosedException(pc.getMessage());
        }
        if (error instanceof NodeLostException nl) {
            return new NodeLostException(nl.rank(), nl.getMessage(), nl.getCause());
        }
        if (error instanceof RuntimeException r) {
            return r;
        }
        return new SkywardException("task " + p.id + " failed: " + error, error);
    }

    private NodeConnection nodeOf(PendingTask p) {
        return nodes.get(p.rank);
    }

    // ---- shutting down ----

    private void shutDown(Function<PendingTask, ? extends RuntimeException> why) {
        List<String> leftovers = new ArrayList<>();
        heartbeats.shutdownNow();
        List<NodeConnection> all = nodes;
        for (NodeConnection n : all) {
            n.failAll(why);
        }
        ExecutorService stoppers = Executors.newCachedThreadPool(daemon("skyward-stop-" + id));
        try {
            List<Future<?>> asks = new ArrayList<>();
            for (NodeConnection n : all) {
                asks.add(stoppers.submit(() -> {
                    n.shutdownAgent("pool closed", spec.shutdownGrace());
                    n.close();
                }));
            }
            waitAll(asks);
            List<StartedAgent> started;
            synchronized (agents) {
                started = List.copyOf(agents);
            }
            List<Future<Boolean>> kills = new ArrayList<>();
            for (StartedAgent a : started) {
                kills.add(stoppers.submit(() -> a.destroy(spec.shutdownGrace())));
            }
            List<StartedAgent> unconfirmed = new ArrayList<>();
            for (int i = 0; i < kills.size(); i++) {
                try {
                    if (!kills.get(i).get()) {
                        unconfirmed.add(started.get(i));
                    }
                } catch (ExecutionException | InterruptedException e) {
                    leftovers.add(started.get(i) + " could not be stopped: " + e);
                }
            }
            leftovers.addAll(stillRunning(unconfirmed));
        } finally {
            stoppers.shutdownNow();
        }
        if (provisioned != null) {
            Provider provider = provisioned.provider();
            try {
                provider.terminate(id);
                for (Instance i : provider.describe(id)) {
                    leftovers.add(provider.name() + " instance " + i.id() + " (" + i.status() + ")");
                }
            } catch (RuntimeException e) {
                leftovers.add(provider.name() + " could not terminate pool " + id + ": " + e.getMessage());
            }
        }
        completions.shutdown();
        codeExecutor.shutdownNow();
        PoolRegistry.unregister(this);
        Duration uptime = Duration.ofNanos(System.nanoTime() - startNanos);
        double hourly = provisioned == null ? 0 : provisioned.hourlyPrice();
        lifecycle.moveTo(PoolState.CLOSED);
        events.publish(new PoolEvent.Closed(id, uptime, hourly, hourly * uptime.toMillis() / 3_600_000.0));
        if (!leftovers.isEmpty()) {
            throw new SkywardException("pool " + id + " closed, but these remain and need attention: " + leftovers);
        }
    }

    /**
     * Agents that could not be confirmed stopped, minus those whose machine the provider no longer has:
     * a reclaimed spot instance (or one its cloud terminated otherwise) cannot be reached to stop its
     * agent, and needs no stopping.
     */
    private List<String> stillRunning(List<StartedAgent> unconfirmed) {
        if (unconfirmed.isEmpty()) {
            return List.of();
        }
        java.util.Set<String> present = new java.util.HashSet<>();
        try {
            if (provisioned != null) {
                provisioned.provider().describe(id).forEach(i -> present.add(i.id()));
            }
        } catch (RuntimeException e) {
            LOG.debug("could not list pool {}'s instances: {}", id, e.toString());
            return unconfirmed.stream().map(a -> a + " is still running").toList();
        }
        List<String> left = new ArrayList<>();
        for (StartedAgent a : unconfirmed) {
            String machine = machines.get(a);
            if (provisioned != null && machine != null && !present.contains(machine)) {
                LOG.info("{} went with its machine {}, which the provider no longer has", a, machine);
            } else {
                left.add(a + " is still running");
            }
        }
        return left;
    }

    private static void waitAll(List<Future<?>> futures) {
        for (Future<?> f : futures) {
            try {
                f.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                LOG.debug("stopping a node: {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** A task's future; cancelling it interrupts the task on its node. */
    private static final class TaskFuture<T> extends CompletableFuture<T> {
        private final NodeConnection node;
        private final long taskId;

        TaskFuture(NodeConnection node, long taskId) {
            this.node = node;
            this.taskId = taskId;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                node.cancel(taskId);
            }
            return cancelled;
        }
    }
}
