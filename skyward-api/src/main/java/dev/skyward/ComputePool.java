package dev.skyward;

import dev.skyward.parallel.CompletionOrder;
import dev.skyward.parallel.PoolExecutor;
import dev.skyward.spi.PoolFactory;
import dev.skyward.spi.PoolSpec;
import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderDescriptors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A pool of nodes that run your lambdas. Open it in try-with-resources; closing it terminates every
 * machine it started and checks they are gone.
 *
 * <pre>{@code
 * try (var pool = ComputePool.builder().nodes(2).build()) {       // local provider: 2 agent JVMs
 *     int one = pool.run(ctx -> 1);                                 // one node
 *     List<Integer> ranks = pool.broadcast(ctx -> ctx.rank());      // every node, rank order
 *     CompletableFuture<String> f = pool.submit(ctx -> "async");    // future
 *     List<Integer> squares = pool.map(List.of(1, 2, 3), (ctx, x) -> x * x);  // input order
 *     String head = pool.head().run(ctx -> ctx.headAddress());      // pinned to rank 0
 * }
 * }</pre>
 *
 * <p>All methods are thread-safe. Tasks are serialized on the calling thread, so a task that
 * captures something that cannot travel fails at once with {@link TaskSerializationException}.
 */
public interface ComputePool extends AutoCloseable {

    /** A new builder with the defaults: local provider, one node, no accelerator. */
    static Builder builder() {
        return new Builder();
    }

    /** The pool's unique id, e.g. {@code skyward-3f9a1c}; every resource it creates is tagged with it. */
    String id();

    /** Current lifecycle state. */
    PoolState state();

    /**
     * The nodes now, in rank order: a lost node shows {@link NodeInfo#isLost()} until its replacement
     * takes its place; an elastic pool's list grows and shrinks.
     */
    List<NodeInfo> nodes();

    /**
     * Grows or shrinks the pool to {@code nodes} and waits until it has that many: new nodes get the
     * next ranks; the highest ranks leave, each after its running tasks end (no new work goes there
     * meanwhile). An elastic pool keeps adapting afterwards, within its bounds.
     *
     * <pre>{@code
     * pool.resize(8);     // before a big sweep
     * pool.resize(1);     // after it
     * }</pre>
     *
     * @param nodes the new size, 1 to 1024 (within {@code nodes(min, max)} for an elastic pool)
     * @throws PoolConfigurationException for a size outside the bounds
     * @throws ProvisioningException the new nodes could not be started
     */
    void resize(int nodes);

    /** Number of nodes. */
    default int size() {
        return nodes().size();
    }

    /**
     * Runs a task on one node (chosen by the pool's {@link Scheduling}) and waits for it.
     *
     * @param task the task
     * @param <T> result type
     * @return the result
     * @throws TaskFailedException the task threw; the cause is its exception
     * @throws TaskSerializationException the task cannot be sent
     * @throws PoolClosedException the pool is closed or closing
     */
    <T> T run(Task<T> task);

    /**
     * Sends a task to one node and returns at once.
     *
     * @param task the task
     * @param <T> result type
     * @return completes with the result or the failure; {@code cancel(true)} interrupts the task
     * @throws TaskSerializationException the task cannot be sent (thrown, not put in the future)
     */
    <T> CompletableFuture<T> submit(Task<T> task);

    /**
     * Runs the same task on every node and waits for all of them.
     *
     * @param task the task
     * @param <T> result type
     * @return the results in rank order
     * @throws TaskFailedException if any node's task threw (the first in rank order; the others are
     *     attached as suppressed)
     */
    <T> List<T> broadcast(Task<T> task);

    /**
     * Runs several different tasks at once, spread over the nodes, and waits for all of them.
     *
     * <pre>{@code
     * List<Task<String>> steps = List.of(ctx -> "a", ctx -> "b");
     * List<String> out = pool.parallel(steps);
     * }</pre>
     *
     * @param tasks the tasks
     * @param <T> result type
     * @return the results in the order of {@code tasks}
     */
    <T> List<T> parallel(Collection<? extends Task<? extends T>> tasks);

    /**
     * Applies a function to every element, spreading the elements over the nodes, and waits.
     *
     * <pre>{@code
     * List<Double> losses = pool.map(configs, (ctx, cfg) -> train(cfg));
     * }</pre>
     *
     * <p>Consecutive elements travel together, as one task per run (about eight runs per task slot of
     * the pool, at most 1,024 elements or 4 MiB a run), so a million tiny elements cost thousands of
     * messages, not a million; a node applies the function to its run's elements in order. Every
     * element is checked, and every run made into bytes, before the first is sent: an element that
     * cannot travel fails the call on this thread, named by its index, with nothing started. A run
     * lost with its node runs again, whole, elsewhere (unless {@link MapTask#once} says not to).
     *
     * @param items the input; each element travels to the node that processes it
     * @param fn the function
     * @param <I> element type
     * @param <T> result type
     * @return the results in input order
     */
    <I, T> List<T> map(Collection<? extends I> items, MapTask<? super I, ? extends T> fn);

    /** How many tasks one node runs at the same time (the builder's {@code concurrency}). */
    int tasksPerNode();

    /**
     * An {@link java.util.concurrent.ExecutorService} whose tasks run on the nodes, for code written
     * against {@code java.util.concurrent}: {@code submit}, {@code invokeAll}, {@code invokeAny},
     * cancellation that interrupts on the node, {@code shutdown}. It keeps at most
     * {@code size() * tasksPerNode()} tasks on the nodes; the rest wait here (an elastic pool keeps twice
     * its maximum's worth in flight, so that waiting tasks make it grow). Each call returns a new
     * executor; shutting it down leaves the pool open.
     *
     * <pre>{@code
     * ExecutorService exec = pool.executor();
     * List<Future<Double>> scores = exec.invokeAll(List.<Callable<Double>>of(
     *         (RemoteCallable<Double>) () -> score(0.1), (RemoteCallable<Double>) () -> score(1.0)));
     * }</pre>
     *
     * @return a new executor on this pool; its tasks must be serializable (see {@link PoolExecutor})
     */
    default PoolExecutor executor() {
        return PoolExecutor.on(this, size() * tasksPerNode());
    }

    /**
     * Applies a function to every element and gives the results as they finish, not in input order,
     * with backpressure: the input is read lazily and at most {@code 2 * size() * tasksPerNode()}
     * elements (an elastic pool: sized by its maximum, so that it grows) are taken and not yet consumed at any time, so an input of millions of elements (or
     * an endless one) never sits in memory, here or on the nodes.
     *
     * <pre>{@code
     * try (Stream<Double> losses = pool.mapUnordered(configs, (ctx, cfg) -> train(cfg))) {
     *     losses.forEach(loss -> System.out.println("finished: " + loss));
     * }
     * }</pre>
     *
     * A failed element ends the stream with its {@link TaskFailedException}; closing the stream
     * cancels the elements still running.
     *
     * @param items the input, read on the consuming thread as room frees up
     * @param fn the function; each element travels with it to a node
     * @param <I> element type
     * @param <T> result type
     * @return the results in completion order
     */
    default <I, T> Stream<T> mapUnordered(Iterable<? extends I> items, MapTask<? super I, ? extends T> fn) {
        return mapUnordered(items.iterator(), fn, 2 * size() * tasksPerNode());
    }

    /**
     * As {@link #mapUnordered(Iterable, MapTask)}, over a stream read lazily.
     *
     * @param items the input
     * @param fn the function
     * @param <I> element type
     * @param <T> result type
     * @return the results in completion order
     */
    default <I, T> Stream<T> mapUnordered(Stream<? extends I> items, MapTask<? super I, ? extends T> fn) {
        Stream<T> results = this.<I, T>mapUnordered(items.iterator(), fn, 2 * size() * tasksPerNode());
        return results.onClose(items::close);
    }

    /**
     * As {@link #mapUnordered(Iterable, MapTask)}, with at most {@code maxInFlight} elements taken
     * from the input and not yet consumed.
     *
     * @param items the input
     * @param fn the function
     * @param maxInFlight at least 1
     * @param <I> element type
     * @param <T> result type
     * @return the results in completion order
     */
    default <I, T> Stream<T> mapUnordered(Iterator<? extends I> items, MapTask<? super I, ? extends T> fn,
            int maxInFlight) {
        return CompletionOrder.stream(this, items, fn, maxInFlight);
    }

    /**
     * Runs a task that produces elements and gives them back as they are produced, instead of one
     * result at the end: the first arrives while the task still runs. Flow control: the node runs at
     * most 32 elements ahead of the consumer; a slow consumer stalls the producer there. Closing the
     * stream cancels the task and interrupts the producer on its node.
     *
     * <pre>{@code
     * try (Stream<Double> losses = pool.stream(ctx -> IntStream.range(0, 100).mapToObj(epoch -> train(epoch)).iterator())) {
     *     losses.takeWhile(loss -> loss > 0.01).forEach(System.out::println);   // each epoch's loss, as it is done
     * }   // an early stop here interrupts the training on its node
     * }</pre>
     *
     * An iterator that is also {@link AutoCloseable} is closed on the node when it is exhausted, fails
     * or is cancelled. A failure of the task, before or between elements, is thrown by the stream's
     * next step as a {@link TaskFailedException}. Each element travels alone, so it must be
     * serializable and at most 1 MiB once serialized.
     *
     * @param producer returns the elements' iterator; it is consumed on the node
     * @param <T> element type
     * @return the elements, in the producer's order; close it (try-with-resources) if not consumed to the end
     */
    default <T> Stream<T> stream(Task<? extends Iterator<? extends T>> producer) {
        return stream(producer, 32);
    }

    /**
     * As {@link #stream(Task)}, with at most {@code window} elements produced and not yet consumed.
     *
     * @param producer returns the elements' iterator
     * @param window at least 1
     * @param <T> element type
     * @return the elements, in order
     */
    <T> Stream<T> stream(Task<? extends Iterator<? extends T>> producer, int window);

    /** The head node (rank 0), to pin tasks to it. */
    default PoolNode head() {
        return node(0);
    }

    /**
     * The node with a given rank, to pin tasks to it.
     *
     * @param rank 0 .. size()-1
     * @return the node
     * @throws IllegalArgumentException for a rank outside the pool
     */
    PoolNode node(int rank);

    /**
     * Cancels running tasks (their futures fail with {@link PoolClosedException}), stops every agent
     * (gracefully, then forcibly), terminates every instance and verifies nothing remains. Idempotent.
     */
    @Override
    void close();

    /**
     * Settings of a pool. Every setter validates at once and says how to fix a bad value;
     * {@link #build()} provisions the nodes and returns when they are ready.
     */
    final class Builder {

        /** Set by the agent on every node: the pool it serves (tells a task's mistaken build() where it is). */
        public static final String NODE_POOL_PROPERTY = "skyward.node.pool";
        /** Set by the agent on every node: its rank. */
        public static final String NODE_RANK_PROPERTY = "skyward.node.rank";

        private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?");
        private static final int MAX_NODES = 1024;

        private final List<Provider> providers = new ArrayList<>();
        private Accelerator accelerator = Accelerator.NONE;
        private int nodes = 1;
        private Image image = Image.DEFAULT;
        private Selection selection = Selection.FIRST;
        private Allocation allocation = Allocation.ON_DEMAND;
        private Scheduling scheduling = Scheduling.LEAST_LOADED;
        private int concurrency = 1;
        private final Map<String, String> env = new LinkedHashMap<>();
        private int masterPort = 29500;
        private String name = "skyward";
        private int minVcpus;
        private double minMemoryGiB;
        private final List<String> regions = new ArrayList<>();
        private double maxHourlyPrice = Double.POSITIVE_INFINITY;
        private Duration provisionTimeout = Duration.ofMinutes(20);
        private Duration shutdownGrace = Duration.ofSeconds(5);
        private Duration heartbeatGrace = Duration.ofSeconds(60);
        private Duration maxNodeLifetime;
        private boolean downExpired;
        private OutputListener output;
        private final List<PoolListener> listeners = new ArrayList<>();
        private boolean console = true;
        private final List<String> agentJvmOptions = new ArrayList<>();
        private int maxNodes = 1;
        private Replacement replacement = Replacement.DEFAULT;
        private int retries = 3;
        private Duration idleTimeout = Duration.ofMinutes(5);
        private HealthCheck healthCheck;

        Builder() {
        }

        /**
         * Where nodes come from, in order of preference. None given: the local provider (agent JVMs
         * on this machine). Calling again adds more.
         *
         * @param providers one or more providers
         * @return this builder
         */
        public Builder provider(Provider... providers) {
            for (Provider p : providers) {
                this.providers.add(Require.notNull(p, "provider"));
            }
            return this;
        }

        /**
         * Where nodes come from, by provider name, in order of preference: each name is looked up
         * among the provider modules on the classpath (their {@link ProviderDescriptor}s) and the
         * provider is configured from the environment, as its no-argument constructor would be.
         *
         * <pre>{@code
         * ComputePool.builder().provider("aws", "digitalocean").accelerator("H100:8").build();
         * }</pre>
         *
         * @param names provider names such as {@code "digitalocean"}, {@code "local"}
         * @return this builder
         * @throws PoolConfigurationException a name matches no provider module on the classpath
         */
        public Builder provider(String... names) {
            for (String n : names) {
                if (n == null || n.isBlank()) {
                    throw new PoolConfigurationException("provider name is empty; use a name such as "
                            + ProviderDescriptors.names());
                }
                this.providers.add(ProviderDescriptors.find(n.trim()).create());
            }
            return this;
        }

        /**
         * The accelerator every node needs, {@code NAME} or {@code NAME:COUNT}: {@code "H100"},
         * {@code "A100-80GB:8"}. Default: none.
         *
         * @param spec the accelerator
         * @return this builder
         */
        public Builder accelerator(String spec) {
            this.accelerator = Accelerator.parse(spec);
            return this;
        }

        /**
         * The accelerator every node needs.
         *
         * @param accelerator the accelerator
         * @return this builder
         */
        public Builder accelerator(Accelerator accelerator) {
            this.accelerator = Require.notNull(accelerator, "accelerator");
            return this;
        }

        /**
         * Number of nodes, 1 to 1024. Default 1.
         *
         * @param nodes node count
         * @return this builder
         */
        public Builder nodes(int nodes) {
            if (nodes < 1 || nodes > MAX_NODES) {
                throw new PoolConfigurationException("nodes must be between 1 and " + MAX_NODES + ", was " + nodes
                        + "; a pool needs at least one node");
            }
            this.nodes = nodes;
            this.maxNodes = nodes;
            return this;
        }

        /**
         * An elastic pool: {@code build()} returns once {@code min} nodes are ready; the pool adds nodes,
         * up to {@code max}, while tasks wait for a free node, and gives back a node that stayed idle for
         * {@link #idleTimeout(Duration)}, never going below {@code min}. Tasks wait in this process until
         * a node has room (at most twice {@link #concurrency(int)} per node), so a node that joins takes
         * its share at once. Each change is a {@link PoolEvent.Resized} event with the new hourly price.
         *
         * <pre>{@code
         * try (var pool = ComputePool.builder().nodes(1, 4).idleTimeout(Duration.ofMinutes(2)).build()) {
         *     pool.map(configs, (ctx, cfg) -> train(cfg));    // grows toward 4 while configs wait
         * }                                                   // back to 1 after two idle minutes
         * }</pre>
         *
         * Ranks stay dense: nodes join with the next rank and the highest ranks leave first.
         *
         * @param min nodes at the start and at least, 1 or more
         * @param max nodes at most, {@code min} to 1024
         * @return this builder
         */
        public Builder nodes(int min, int max) {
            nodes(min);
            if (max < min || max > MAX_NODES) {
                throw new PoolConfigurationException("the most nodes of an elastic pool must be between its least ("
                        + min + ") and " + MAX_NODES + ", was " + max);
            }
            this.maxNodes = max;
            return this;
        }

        /**
         * How long a node above an elastic pool's minimum may stay without work before it is given back.
         * Default 5 minutes: long enough that the gaps of an interactive session do not churn machines
         * that take minutes to boot, short enough that a forgotten pool stops costing soon.
         *
         * @param idle at least 1 s
         * @return this builder
         */
        public Builder idleTimeout(Duration idle) {
            positive(idle, "idleTimeout");
            if (idle.toMillis() < 1000) {
                throw new PoolConfigurationException("idleTimeout must be at least 1s, was " + idle);
            }
            this.idleTimeout = idle;
            return this;
        }

        /**
         * What happens when a node is lost. Default {@link Replacement#DEFAULT}: a replacement with the
         * same rank, at most 3 times per rank.
         *
         * <pre>{@code
         * ComputePool.builder().nodes(4).replacement(Replacement.NEVER)
         * }</pre>
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder replacement(Replacement policy) {
            this.replacement = Require.notNull(policy, "replacement");
            return this;
        }

        /**
         * How often a task whose node was lost while it ran is sent again, to another node (or to the
         * replacement of its rank, for work pinned to a rank and {@code broadcast}). Default 3, as in
         * Skyward for Python: enough to ride out a reclaimed spot machine and a flaky one in the same
         * task's life, few enough that a task which itself kills its node does not take down one node
         * after another. A task that throws is never retried; a task marked {@link Task#once(Task)} or
         * {@link MapTask#once(MapTask)} is never sent again. Results are delivered once.
         *
         * @param retries 0 to 100
         * @return this builder
         */
        public Builder retries(int retries) {
            if (retries < 0 || retries > 100) {
                throw new PoolConfigurationException("retries must be between 0 and 100, was " + retries);
            }
            this.retries = retries;
            return this;
        }

        /**
         * A check run on every node every so often; a node failing it {@code failures} times in a row
         * is lost, and replaced. Default: none.
         *
         * <pre>{@code
         * ComputePool.builder().healthCheck(new HealthCheck(ctx -> Files.exists(Path.of("/dev/nvidia0")),
         *         Duration.ofSeconds(30), 3))
         * }</pre>
         *
         * @param check the check
         * @return this builder
         */
        public Builder healthCheck(HealthCheck check) {
            this.healthCheck = Require.notNull(check, "healthCheck");
            return this;
        }

        /**
         * What nodes need installed. Default: nothing.
         *
         * @param image the image
         * @return this builder
         */
        public Builder image(Image image) {
            this.image = Require.notNull(image, "image");
            return this;
        }

        /**
         * How offers are ordered. Default {@link Selection#FIRST}.
         *
         * @param selection the rule
         * @return this builder
         */
        public Builder selection(Selection selection) {
            this.selection = Require.notNull(selection, "selection");
            return this;
        }

        /**
         * On-demand or spot. Default {@link Allocation#ON_DEMAND}.
         *
         * @param allocation the allocation
         * @return this builder
         */
        public Builder allocation(Allocation allocation) {
            this.allocation = Require.notNull(allocation, "allocation");
            return this;
        }

        /**
         * How {@code run} and {@code submit} pick nodes. Default {@link Scheduling#LEAST_LOADED}.
         *
         * @param scheduling the policy
         * @return this builder
         */
        public Builder scheduling(Scheduling scheduling) {
            this.scheduling = Require.notNull(scheduling, "scheduling");
            return this;
        }

        /**
         * How many tasks one node runs at the same time; further tasks queue on the node.
         * Default 1 (one task owns the node's accelerators).
         *
         * @param tasksPerNode 1 to 4096
         * @return this builder
         */
        public Builder concurrency(int tasksPerNode) {
            if (tasksPerNode < 1 || tasksPerNode > 4096) {
                throw new PoolConfigurationException("concurrency (tasks per node) must be between 1 and 4096, was "
                        + tasksPerNode);
            }
            this.concurrency = tasksPerNode;
            return this;
        }

        /**
         * Sets an environment variable on every node (agent and the processes tasks start).
         *
         * @param name variable name
         * @param value value
         * @return this builder
         */
        public Builder env(String name, String value) {
            if (name == null || name.isBlank() || name.contains("=")) {
                throw new PoolConfigurationException("environment variable name '" + name
                        + "' is not valid: it must be non-blank and contain no '='");
            }
            env.put(name, Require.notNull(value, "value of " + name));
            return this;
        }

        /**
         * The rendezvous port on the head node ({@code MASTER_PORT}). Default 29500.
         *
         * @param port 1024 to 65535
         * @return this builder
         */
        public Builder masterPort(int port) {
            if (port < 1024 || port > 65535) {
                throw new PoolConfigurationException("masterPort must be between 1024 and 65535, was " + port);
            }
            this.masterPort = port;
            return this;
        }

        /**
         * A name for the pool: lower-case letters, digits and dashes, at most 32 characters. It prefixes
         * the pool id and every resource name. Default {@code skyward}.
         *
         * @param name the name
         * @return this builder
         */
        public Builder name(String name) {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new PoolConfigurationException("pool name '" + name + "' is not valid: use 1 to 32 lower-case "
                        + "letters, digits and dashes, starting and ending with a letter or digit, e.g. \"train-run-1\"");
            }
            this.name = name;
            return this;
        }

        /**
         * Only offers with at least this many vCPUs per node.
         *
         * @param vcpus minimum, 0 for any
         * @return this builder
         */
        public Builder minVcpus(int vcpus) {
            if (vcpus < 0) {
                throw new PoolConfigurationException("minVcpus must not be negative, was " + vcpus);
            }
            this.minVcpus = vcpus;
            return this;
        }

        /**
         * Only offers with at least this much memory per node.
         *
         * @param gib minimum GiB, 0 for any
         * @return this builder
         */
        public Builder minMemoryGiB(double gib) {
            if (gib < 0 || Double.isNaN(gib)) {
                throw new PoolConfigurationException("minMemoryGiB must not be negative, was " + gib);
            }
            this.minMemoryGiB = gib;
            return this;
        }

        /**
         * Only these regions (provider region codes such as {@code us-east-1}, {@code FIN-01}).
         *
         * @param regions allowed regions
         * @return this builder
         */
        public Builder regions(String... regions) {
            for (String r : regions) {
                if (r == null || r.isBlank()) {
                    throw new PoolConfigurationException("region must not be blank");
                }
                this.regions.add(r.trim());
            }
            return this;
        }

        /**
         * Only offers costing at most this much per node and hour.
         *
         * @param usd maximum USD per hour per node
         * @return this builder
         */
        public Builder maxHourlyPrice(double usd) {
            if (!(usd > 0)) {
                throw new PoolConfigurationException("maxHourlyPrice must be positive, was " + usd);
            }
            this.maxHourlyPrice = usd;
            return this;
        }

        /**
         * Overall deadline for provisioning and starting every node; when it passes, the pool gives
         * up, cleans up and reports every attempt. Default 20 minutes.
         *
         * @param timeout the deadline
         * @return this builder
         */
        public Builder provisionTimeout(Duration timeout) {
            this.provisionTimeout = positive(timeout, "provisionTimeout");
            return this;
        }

        /**
         * How long {@code close()} lets agents stop by themselves before killing them. Default 5 s.
         *
         * @param grace the grace period
         * @return this builder
         */
        public Builder shutdownGrace(Duration grace) {
            this.shutdownGrace = positive(grace, "shutdownGrace");
            return this;
        }

        /**
         * How long an agent keeps running without hearing from this process (which may have crashed)
         * before it stops its tasks and exits. Default 60 s.
         *
         * @param grace the grace period, at least 2 s
         * @return this builder
         */
        public Builder heartbeatGrace(Duration grace) {
            positive(grace, "heartbeatGrace");
            if (grace.toMillis() < 2000) {
                throw new PoolConfigurationException("heartbeatGrace must be at least 2s (heartbeats go every 500 ms), was "
                        + grace);
            }
            this.heartbeatGrace = grace;
            return this;
        }

        /**
         * JVM options for every node's agent, the JVM that runs the tasks: heap, garbage collector,
         * {@code --add-opens} a library needs, system properties. They come after Skyward's own
         * ({@code -XX:+UseG1GC} and the opens serialization needs), so a later
         * option of the same kind wins. Without {@code -Xmx} an agent gets the JVM's default heap, a
         * quarter of the node's memory.
         *
         * <pre>{@code
         * ComputePool.builder().agentJvmOptions("-Xmx48g", "-XX:+UseZGC", "-Dio.netty.tryReflectionSetAccessible=true")
         * }</pre>
         *
         * @param options each one argument of the {@code java} command, starting with {@code -}
         * @return this builder
         */
        public Builder agentJvmOptions(String... options) {
            Require.notNull(options, "agentJvmOptions");
            for (String o : options) {
                if (o == null || o.isBlank()) {
                    throw new PoolConfigurationException("agent JVM options must not be null or blank");
                }
                String opt = o.strip();
                if (!opt.startsWith("-")) {
                    throw new PoolConfigurationException("agent JVM option '" + o + "' must start with '-', e.g. \"-Xmx8g\"");
                }
                if (opt.equals("-jar")) {
                    throw new PoolConfigurationException("agent JVM option -jar is not allowed: the agent is started "
                            + "with its own jar");
                }
                if (opt.equals("-cp") || opt.equals("-classpath") || opt.startsWith("--class-path")) {
                    throw new PoolConfigurationException("agent JVM option " + opt + " is not allowed: the agent's "
                            + "classpath is its own jar, and your classes reach the nodes by code shipping");
                }
                agentJvmOptions.add(opt);
            }
            return this;
        }

        /**
         * A hard cap on every node's life, whatever the client does: when it passes, each agent stops
         * its tasks and exits (on clouds, the machine shuts down) even if this process is still
         * alive — a guard against a forgotten notebook keeping GPUs busy. Default: none.
         *
         * @param lifetime at least 1 s
         * @return this builder
         */
        public Builder maxNodeLifetime(Duration lifetime) {
            positive(lifetime, "maxNodeLifetime");
            if (lifetime.toMillis() < 1000) {
                throw new PoolConfigurationException("maxNodeLifetime must be at least 1s, was " + lifetime);
            }
            this.maxNodeLifetime = lifetime;
            return this;
        }

        /**
         * Whether {@code build()} terminates the expired pools of this user that it finds on the chosen
         * providers, before provisioning the new one. Either way they are reported on the console (and to
         * listeners as {@link PoolEvent.ExpiredPoolsFound}). A pool is expired when its
         * {@link #maxNodeLifetime} has passed, or when its client on this machine is gone and its lease
         * (the {@link #heartbeatGrace}) has run out; pools of clients on other machines are never touched.
         * The check is bounded (a few seconds per provider, in parallel) and a provider that cannot be
         * listed only warns. Default false.
         *
         * <pre>{@code
         * ComputePool.builder().provider(new Aws()).accelerator("H100").downExpired(true).build();
         * }</pre>
         *
         * @param enabled on or off
         * @return this builder
         */
        public Builder downExpired(boolean enabled) {
            this.downExpired = enabled;
            return this;
        }

        /**
         * Where task output goes. Default: this process's console, each line prefixed with its node.
         *
         * @param listener the receiver, or {@link OutputListener#SILENT}
         * @return this builder
         */
        public Builder output(OutputListener listener) {
            this.output = Require.notNull(listener, "output");
            return this;
        }

        /**
         * Adds a listener for pool events (offers tried, nodes ready, close and cost).
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(PoolListener listener) {
            listeners.add(Require.notNull(listener, "listener"));
            return this;
        }

        /**
         * Whether progress (offers, node start-up, close and cost) is printed on the console.
         * Default true.
         *
         * @param enabled on or off
         * @return this builder
         */
        public Builder console(boolean enabled) {
            this.console = enabled;
            return this;
        }

        /**
         * The validated settings, without starting anything.
         *
         * @return the spec
         */
        public PoolSpec spec() {
            return new PoolSpec(name, providers, accelerator, nodes, image, selection, allocation, scheduling,
                    concurrency, env, masterPort, minVcpus, minMemoryGiB, regions, maxHourlyPrice, provisionTimeout,
                    shutdownGrace, heartbeatGrace, maxNodeLifetime, output, listeners, console, agentJvmOptions,
                    maxNodes, replacement, retries, idleTimeout, healthCheck, downExpired);
        }

        /**
         * Provisions the nodes, starts an agent on each and returns when all are ready. On failure
         * everything created so far is cleaned up before the exception is thrown.
         *
         * @return the ready pool; close it
         * @throws PoolConfigurationException the settings cannot be satisfied (nothing was started)
         * @throws ProvisioningException no offer could be provisioned
         */
        public ComputePool build() {
            PoolSpec spec = spec();
            Iterator<PoolFactory> factories = ServiceLoader.load(PoolFactory.class, Builder.class.getClassLoader())
                    .iterator();
            if (!factories.hasNext()) {
                String nodePool = System.getProperty(NODE_POOL_PROPERTY);
                if (nodePool != null) {
                    throw new PoolConfigurationException("ComputePool.builder().build() was called inside a task on node "
                            + System.getProperty(NODE_RANK_PROPERTY, "?") + " of pool " + nodePool + ": pools are built "
                            + "by the client program, not on its nodes. Build the pool before submitting, and let tasks "
                            + "return what the client needs (or use pool.map/parallel for fan-out)");
                }
                throw new PoolConfigurationException("no Skyward engine on the classpath: add the dependency "
                        + "dev.skyward:skyward-core next to skyward-api");
            }
            return factories.next().create(spec);
        }

        private static Duration positive(Duration d, String what) {
            Require.notNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new PoolConfigurationException(what + " must be positive, was " + d);
            }
            return d;
        }
    }
}
