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
import dev.skyward.bootstrap.PoolKey;
import dev.skyward.classload.CodeServer;
import dev.skyward.classload.SnippetStatics;
import dev.skyward.console.ConsoleRenderer;
import dev.skyward.guard.ClientId;
import dev.skyward.guard.ExpiredSweep;
import dev.skyward.guard.Ledger;
import dev.skyward.guard.LedgerEntry;
import dev.skyward.local.Local;
import dev.skyward.node.AgentCommand;
import dev.skyward.node.AgentJar;
import dev.skyward.node.AgentLauncher;
import dev.skyward.node.NodeEnvironment;
import dev.skyward.node.StartedAgent;
import dev.skyward.offer.CostMeter;
import dev.skyward.offer.Provisioned;
import dev.skyward.offer.Provisioner;
import dev.skyward.serial.CaptureInspector;
import dev.skyward.spi.Instance;
import dev.skyward.spi.Ownership;
import dev.skyward.spi.PoolSpec;
import dev.skyward.spi.Provider;
import dev.skyward.wire.serial.MapCall;
import dev.skyward.wire.serial.Payload;
import dev.skyward.wire.serial.Serialization;
import dev.skyward.wire.thread.DaemonThreads;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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

    private final PoolSpec spec;
    private final String id;
    private final String token;
    private final Events events;
    private final PoolLifecycle lifecycle;
    private final OutputListener output;
    private final CodeServer code = new CodeServer();
    private final TaskCodec codec = new TaskCodec(code);
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService heartbeats;
    private final ClientPause pause;
    private final ExecutorService completions;
    private final ExecutorService codeExecutor;
    private final List<StartedAgent> agents = new ArrayList<>();
    /** The ranks and their nodes; the dispatcher reads the ready ones. */
    private final Ranks ranks = new Ranks(this::ranksChanged);
    /** Nodes connected so far (replacements too), heartbeated from the moment they connect: a slow node's
     *  bootstrap (image install, cold upload) must not let the agents already started time out. */
    /** The provider's instance id behind each agent: an agent whose machine the cloud took is gone with it. */
    private final Map<StartedAgent, String> machines = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<NodeConnection> connected = new CopyOnWriteArrayList<>();
    /** Replacement and growth run here; close() waits for them before it stops the agents. */
    private final ExecutorService workers;
    /** This pool's ephemeral SSH key, made when first needed: its public half goes to providers that create machines. */
    private PoolKey poolKey;
    private volatile Dispatcher dispatcher;
    private volatile Healer healer;
    private volatile Autoscaler autoscaler;
    private Provisioned provisioned;
    private AgentLauncher launcher;
    private String head;
    /** What every call shares, set once the dispatcher exists. */
    private volatile Call.Context calls;
    /** This pool's entry in the local ledger of open pools, heart-beaten while the pool is open. */
    private Ledger.Lease ledgerLease;
    /** Each machine's launch-to-termination time at the price paid for it, for the Closed event. */
    private final CostMeter meter = new CostMeter(Clock.systemUTC());

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
        this.workers = Executors.newCachedThreadPool(daemon("skyward-heal-" + id));
        ClassLoader likely = Thread.currentThread().getContextClassLoader();
        Serialization.warmUpInBackground(likely != null ? likely : EnginePool.class.getClassLoader());
        // What every node start needs first, done while offers are searched and the ledger written.
        DaemonThreads.start(() -> {
            try {
                AgentJar.get();
            } catch (RuntimeException e) {
                // The node start that needs it reports it.
            }
            NodeConnection.warmUpTransport();
            SnippetStatics.warmUp();
        }, "skyward-warmup");
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
        Ownership ownership = ownership();
        Ledger ledger = Ledger.standard();
        ledgerLease = openLedger(ledger, new LedgerEntry(id, spec.name(), providers.stream().map(Provider::name).toList(),
                ownership.clientId(), ProcessHandle.current().pid(),
                ProcessHandle.current().info().startInstant().orElse(null), ownership.created(), ownership.expires(),
                ownership.lease(), Instant.now(), List.of()));
        // Bad settings fail before anything is listed or terminated (the search validates the rest again).
        Provisioner.query(spec);
        new ExpiredSweep(ledger, Duration.ofSeconds(10)).run(id, providers, spec.downExpired(), events::publish);
        provisioned = new Provisioner().provision(spec, providers, id,
                createsMachines ? poolKey().publicKey() : null, ownership.toTags(), events::publish);
        if (ledgerLease != null) {
            ledgerLease.nodes(provisioned.instances().stream().map(i -> i.provider() + "/" + i.id()).toList());
        }
        meter.launched(provisioned);
        lifecycle.moveTo(PoolState.STARTING);

        List<Instance> instances = provisioned.instances().stream()
                .sorted(Comparator.comparingInt(Instance::launchIndex).thenComparing(Instance::id))
                .limit(spec.nodes()).toList();
        head = instances.get(0).clusterAddress();
        launcher = new NodeStarter(provisioned.provider(), spec, this::poolKey, events::publish);
        heartbeats.scheduleWithFixedDelay(this::heartbeat, 500, 500, TimeUnit.MILLISECONDS);
        dispatcher = new Dispatcher(ranks, new Scheduler(spec.scheduling(), spec.elastic()),
                spec.elastic() ? 2 * spec.concurrency() : Integer.MAX_VALUE);
        calls = new Call.Context(codec, dispatcher, completions, this::closing);
        NodeSupply supply = new NodeSupply(provisioned, spec, id, createsMachines ? poolKey().publicKey() : null,
                ownership.toTags(), meter);
        NodeFactory factory = nodeFactory();
        healer = new Healer(id, ranks, supply, factory, spec.replacement(), spec.provisionTimeout(), events::publish,
                workers, heartbeats, this::closing, () -> spec.maxNodeLifetime() != null
                        && System.nanoTime() - startNanos >= spec.maxNodeLifetime().toNanos() - 500_000_000L);

        List<NodeSlot> slots = new ArrayList<>();
        for (int rank = 0; rank < instances.size(); rank++) {
            slots.add(ranks.add());
        }
        ExecutorService starters = Executors.newFixedThreadPool(instances.size(), daemon("skyward-start-" + id));
        try {
            List<Future<NodeConnection>> futures = new ArrayList<>();
            for (int rank = 0; rank < instances.size(); rank++) {
                int r = rank;
                futures.add(starters.submit(() -> startNode(r, instances.get(r), instances.size())));
            }
            long deadline = startNanos + spec.provisionTimeout().toNanos();
            List<NodeConnection> started = new ArrayList<>();
            for (Future<NodeConnection> f : futures) {
                started.add(await(f, deadline));
            }
            for (int r = 0; r < started.size(); r++) {
                ranks.serve(slots.get(r), started.get(r), instances.get(r));
            }
        } finally {
            starters.shutdownNow();
        }
        autoscaler = new Autoscaler(id, ranks, dispatcher, supply, factory, spec.nodes(), spec.maxNodes(),
                spec.concurrency(), spec.idleTimeout(), spec.provisionTimeout(), events::publish, workers,
                this::closing);
        lifecycle.moveTo(PoolState.READY);
        if (spec.elastic()) {
            heartbeats.scheduleWithFixedDelay(() -> autoscaler.tick(), 250, 250, TimeUnit.MILLISECONDS);
        }
        if (spec.healthCheck() != null) {
            new HealthChecks(spec.healthCheck(), ranks, this::healthCheck).start(heartbeats);
        }
        ranksChanged(); // a node lost while the others were still starting
    }

    private NodeFactory nodeFactory() {
        return new NodeFactory() {
            @Override
            public NodeConnection start(int rank, Instance instance) throws Exception {
                return startNode(rank, instance, Math.max(ranks.all().size(), rank + 1));
            }

            @Override
            public void stop(NodeConnection node) {
                connected.remove(node);
                node.shutdownAgent("the pool gives this node back", spec.shutdownGrace());
                node.close();
                try {
                    node.agent().destroy(spec.shutdownGrace());
                } catch (RuntimeException e) {
                    LOG.warn("pool {}: stopping node {} failed: {}", id, node.rank(), e.toString());
                }
            }
        };
    }

    /** The pool's state follows its ranks: DEGRADED while one misses its node, READY again when none does. */
    private synchronized void ranksChanged() {
        Dispatcher d = dispatcher;
        if (d != null) {
            d.drain();
        }
        PoolState state = lifecycle.state();
        boolean missing = ranks.anyMissing();
        if (state == PoolState.READY && missing) {
            lifecycle.tryMoveTo(PoolState.DEGRADED);
        } else if (state == PoolState.DEGRADED && !missing) {
            lifecycle.tryMoveTo(PoolState.READY);
        }
    }

    private boolean closing() {
        PoolState s = lifecycle.state();
        return s == PoolState.CLOSING || s == PoolState.CLOSED || s == PoolState.FAILED;
    }

    /**
     * The node will go soon (a spot interruption notice, for instance): it takes no new work from
     * now on, its replacement (same rank) starts at once, its running tasks may finish, and it is
     * stopped and its instance terminated once idle. If it goes first, its tasks are retried on the
     * replacement or another node. For the provider-specific watchers that learn of it.
     */
    void nodePreempted(NodeConnection node, String why) {
        Healer h = healer;
        if (h != null) {
            h.preempted(node, why);
        }
    }

    /** As {@link #nodePreempted(NodeConnection, String)}, by rank. */
    void nodePreempted(int rank, String why) {
        NodeSlot s = ranks.get(rank);
        if (s != null && s.node() != null) {
            nodePreempted(s.node(), why);
        }
    }

    private CompletableFuture<Boolean> healthCheck(NodeConnection node) {
        Task<Boolean> check = spec.healthCheck().check();
        ClassLoader loader = TaskCodec.loaderOf(check);
        PendingTask p = codec.send(node, check, codec.serialize(check, loader, "health check"), loader);
        return p.raw.thenApply(bytes -> TaskCodec.<Boolean>decode(bytes, loader, p.id, p.rank));
    }

    /** The pool's ledger entry; a ledger that cannot be written (a read-only home) only warns. */
    private Ledger.Lease openLedger(Ledger ledger, LedgerEntry entry) {
        try {
            return ledger.open(entry);
        } catch (java.io.UncheckedIOException e) {
            LOG.warn("pool {}: not in the ledger of open pools: {}", id, e.getMessage());
            return null;
        }
    }

    /**
     * Who made this pool and until when it is wanted, for every resource's tags: a hard end with a
     * node lifetime, else a lease of one heartbeat grace (the agents' own dead-man's switch).
     */
    private Ownership ownership() {
        Instant now = Instant.now();
        return new Ownership(id, ClientId.current(), now,
                spec.maxNodeLifetime() != null ? now.plus(spec.maxNodeLifetime()) : null, spec.heartbeatGrace());
    }

    private NodeConnection startNode(int rank, Instance instance, int count) throws Exception {
        AgentCommand command = new AgentCommand(AgentJar.get().path(), id, rank, token,
                NodeEnvironment.of(id, rank, count, head, spec.masterPort(), provisioned.offer().accelerator(),
                        mergedEnv(), token),
                spec.heartbeatGrace(), spec.maxNodeLifetime(), AgentCommand.DEFAULT_JVM_OPTIONS)
                .withJvmOptions(spec.agentJvmOptions());
        StartedAgent agent = launcher.start(instance, command);
        synchronized (agents) {
            agents.add(agent); // close() stops it, even when it was started for a replacement meanwhile
        }
        machines.put(agent, instance.id());
        NodeInfo info = new NodeInfo(rank, instance.provider(), instance.id(), instance.clusterAddress(),
                provisioned.offer().accelerator());
        NodeConnection[] self = new NodeConnection[1];
        NodeConnection c = new NodeConnection(info, agent, id, token, code, codeExecutor, output,
                spec.heartbeatGrace(), pause, lost -> {
                    events.publish(new PoolEvent.NodeLost(id, lost, lost.lostReason()));
                    Healer h = healer;
                    if (h != null && self[0] != null && lifecycle.state() != PoolState.STARTING) {
                        h.lost(self[0], lost.lostReason());
                    }
                });
        self[0] = c;
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
        Call.Spin.sample();
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
        return ranks.infos();
    }

    @Override
    public void resize(int nodes) {
        checkAcceptsTasks();
        autoscaler.resize(nodes, spec.elastic());
    }

    @Override
    public int tasksPerNode() {
        return spec.concurrency();
    }

    /**
     * How many tasks an executor or an unordered map keeps ahead. An elastic pool's count is sized by
     * its maximum, so that tasks wait in the dispatcher and the pool grows; sized by the nodes it has,
     * they would never wait and it would never grow.
     */
    private int window(int perNode) {
        return perNode * (spec.elastic() ? spec.maxNodes() : size()) * spec.concurrency();
    }

    @Override
    public dev.skyward.parallel.PoolExecutor executor() {
        return dev.skyward.parallel.PoolExecutor.on(this, window(spec.elastic() ? 2 : 1));
    }

    @Override
    public <I, T> Stream<T> mapUnordered(Iterable<? extends I> items, MapTask<? super I, ? extends T> fn) {
        return mapUnordered(items.iterator(), fn, window(2));
    }

    @Override
    public <I, T> Stream<T> mapUnordered(Stream<? extends I> items, MapTask<? super I, ? extends T> fn) {
        Stream<T> results = this.<I, T>mapUnordered(items.iterator(), fn, window(2));
        return results.onClose(items::close);
    }

    @Override
    public <T> T run(Task<T> task) {
        return call(task, -1).await();
    }

    @Override
    public <T> CompletableFuture<T> submit(Task<T> task) {
        return call(task, -1).future(completions);
    }

    private <T> Call<T> call(Task<T> task, int rank) {
        checkAcceptsTasks();
        return Call.of(calls, task, rank, spec.retries()).start();
    }

    @Override
    public <T> Stream<T> stream(Task<? extends Iterator<? extends T>> producer, int window) {
        if (window < 1) {
            throw new PoolConfigurationException("the stream window (elements ahead of the consumer) must be at least 1, "
                    + "was " + window);
        }
        checkAcceptsTasks();
        ClassLoader loader = TaskCodec.loaderOf(producer);
        Payload payload = codec.encode(producer, loader, "task");
        // Elements already handed to the consumer cannot be taken back: a stream is never retried.
        NodeConnection node = new Scheduler(spec.scheduling(), false).pick(ranks.ready(), Integer.MAX_VALUE);
        if (node == null) {
            throw new NodeLostException(-1, "no node of pool " + id + " takes work now (every node is lost or "
                    + "being replaced); try again once a replacement is ready", null);
        }
        PendingTask p = new PendingTask(codec.nextId(), node.rank(), loader);
        StreamedResult<T> elements = new StreamedResult<>(node, p, window,
                bytes -> TaskCodec.decode(bytes, loader, p.id, p.rank),
                error -> TaskCodec.translate(error, loader, p.id, p.rank));
        synchronized (node.snippets()) {
            node.send(p, payload, codec.shipment(node, producer), window);
        }
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(elements, Spliterator.ORDERED), false)
                .onClose(elements::close);
    }

    @Override
    public <T> List<T> broadcast(Task<T> task) {
        checkAcceptsTasks();
        Task<T> actual = task instanceof Task.Once<T> once ? once.task() : task;
        int retries = actual != task ? 0 : spec.retries();
        ClassLoader loader = TaskCodec.loaderOf(actual);
        Payload payload = codec.encode(actual, loader, "task");
        List<Call<T>> sent = new ArrayList<>();
        // Every rank, each element pinned to it: a lost rank's element re-runs on its replacement.
        for (NodeSlot slot : ranks.all()) {
            if (slot.node() != null) {
                sent.add(new Call<T>(calls, actual, payload, loader, slot.rank, retries).start());
            }
        }
        return awaitAll(sent);
    }

    @Override
    public <T> List<T> parallel(Collection<? extends Task<? extends T>> tasks) {
        checkAcceptsTasks();
        List<Task<? extends T>> actual = new ArrayList<>();
        List<Payload> payloads = new ArrayList<>();
        int i = 0;
        for (Task<? extends T> t : tasks) {
            Task<? extends T> a = t instanceof Task.Once<? extends T> once ? once.task() : t;
            actual.add(a);
            payloads.add(codec.encode(a, TaskCodec.loaderOf(a), "task " + i++));
        }
        List<Call<T>> sent = new ArrayList<>();
        i = 0;
        for (Task<? extends T> t : tasks) {
            Task<? extends T> a = actual.get(i);
            sent.add(new Call<T>(calls, a, payloads.get(i++), TaskCodec.loaderOf(a), -1, a != t ? 0 : spec.retries()).start());
        }
        return awaitAll(sent);
    }

    @Override
    public <I, T> List<T> map(Collection<? extends I> items, MapTask<? super I, ? extends T> fn) {
        checkAcceptsTasks();
        MapTask<? super I, ? extends T> actual = fn instanceof MapTask.Once<? super I, ? extends T> once ? once.fn() : fn;
        int retries = actual != fn ? 0 : spec.retries();
        ClassLoader loader = TaskCodec.loaderOf(actual);
        codec.prepare(actual, "map function");
        // Runs of consecutive elements travel as one task each: every element is checked and every run
        // made into bytes before the first is sent, so an element that cannot travel fails the map here.
        int per = Math.max(1, Math.min(MAX_MAP_RUN, ceilDiv(items.size(), window(8))));
        List<Payload> payloads = new ArrayList<>();
        List<I> run = new ArrayList<>(per);
        int i = 0;
        for (I item : items) {
            if (item != null) {
                CaptureInspector.check(item, "map element " + i);
            }
            run.add(item);
            if (run.size() == per) {
                serializeRun(actual, run, i - per + 1, loader, payloads);
                run.clear();
            }
            i++;
        }
        if (!run.isEmpty()) {
            serializeRun(actual, run, i - run.size(), loader, payloads);
        }
        List<Call<Object[]>> sent = new ArrayList<>(payloads.size());
        for (Payload p : payloads) {
            sent.add(new Call<Object[]>(calls, actual, p, loader, -1, retries).start());
        }
        List<T> results = new ArrayList<>(items.size());
        for (Object[] r : awaitAll(sent)) {
            for (Object v : r) {
                @SuppressWarnings("unchecked")
                T t = (T) v;
                results.add(t);
            }
        }
        return results;
    }

    /** A map's elements per task at most; and a run whose bytes exceed this travels in halves. */
    private static final int MAX_MAP_RUN = 1024;
    private static final long MAX_MAP_RUN_BYTES = 4L << 20;

    private <I> void serializeRun(MapTask<? super I, ?> fn, List<I> run, int first, ClassLoader loader,
            List<Payload> into) {
        String label = run.size() == 1 ? "map element " + first
                : "map elements " + first + " to " + (first + run.size() - 1);
        Payload p = codec.serialize(new MapCall<I>(fn, run), loader, label);
        if (p.size() <= MAX_MAP_RUN_BYTES || run.size() == 1) {
            into.add(p);
            return;
        }
        int half = run.size() / 2;
        serializeRun(fn, new ArrayList<>(run.subList(0, half)), first, loader, into);
        serializeRun(fn, new ArrayList<>(run.subList(half, run.size())), first + half, loader, into);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / Math.max(1, b);
    }

    @Override
    public PoolNode node(int rank) {
        int size = ranks.size();
        if (rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank " + rank + " is not in this pool of " + size
                    + " nodes; ranks go from 0 to " + (size - 1));
        }
        return new PoolNode() {
            @Override
            public int rank() {
                return rank;
            }

            @Override
            public NodeInfo info() {
                NodeSlot s = ranks.get(rank);
                return s == null ? null : s.info();
            }

            @Override
            public <T> T run(Task<T> task) {
                return EnginePool.this.<T>call(task, rank).await();
            }

            @Override
            public <T> CompletableFuture<T> submit(Task<T> task) {
                return EnginePool.this.<T>call(task, rank).future(completions);
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
        return "ComputePool[" + id + ", " + lifecycle.state() + ", " + ranks.size() + " nodes]";
    }

    // ---- sending and receiving ----

    /** Checks the pool takes tasks now. */
    private void checkAcceptsTasks() {
        PoolState state = lifecycle.state();
        if (dispatcher == null || !state.acceptsTasks()) {
            throw new PoolClosedException("pool " + id + " does not accept tasks: it is " + state);
        }
    }

    private <T> List<T> awaitAll(List<Call<T>> sent) {
        List<T> results = new ArrayList<>(sent.size());
        RuntimeException first = null;
        for (Call<T> c : sent) {
            try {
                results.add(c.await());
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

    // ---- shutting down ----

    private void shutDown(Function<PendingTask, ? extends RuntimeException> why) {
        List<String> leftovers = new ArrayList<>();
        heartbeats.shutdownNow();
        Dispatcher d = dispatcher;
        if (d != null) {
            d.close(new PoolClosedException("pool " + id + " was closed while the task waited for a node"));
        }
        // Replacements and growth under way stop first, so that every agent they started is known below.
        workers.shutdownNow();
        try {
            if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
                leftovers.add("a replacement or growth of the pool did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<NodeConnection> all = List.copyOf(connected);
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
        double hourly = meter.runningHourlyPrice();
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
        if (ledgerLease != null) {
            if (leftovers.isEmpty()) {
                ledgerLease.close();
            } else {
                // Something is left: keep the entry (its heartbeat stops), so status and down find the pool.
                ledgerLease.abandon();
            }
        }
        completions.shutdown();
        codeExecutor.shutdownNow();
        PoolRegistry.unregister(this);
        // The machines' bill ends when terminate returned (or failed: what remains is reported below).
        meter.endedAll();
        Duration uptime = Duration.ofNanos(System.nanoTime() - startNanos);
        lifecycle.moveTo(PoolState.CLOSED);
        events.publish(new PoolEvent.Closed(id, uptime, hourly, meter.estimatedCost(), meter.nodes()));
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
        return DaemonThreads.numbered(name);
    }
}
