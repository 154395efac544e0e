package dev.skyward.agent;

import dev.skyward.Task;
import dev.skyward.TaskSerializationException;
import dev.skyward.wire.proto.AgentFrame;
import dev.skyward.wire.proto.ErrorInfo;
import dev.skyward.wire.proto.Result;
import dev.skyward.wire.proto.SnippetClass;
import dev.skyward.wire.proto.StaticSnapshot;
import dev.skyward.wire.serial.ErrorCodec;
import dev.skyward.wire.serial.Payload;
import dev.skyward.wire.serial.Serialization;
import dev.skyward.wire.stream.Payloads;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.fory.ThreadSafeFory;

/**
 * Runs tasks on worker threads, at most {@code concurrency} at once; the rest wait in a queue on
 * this node. Deserialization happens here, on the worker, because it may have to fetch classes from
 * the client and must never block gRPC's threads.
 */
final class TaskRunner {

    private final SessionClassLoader loader;
    private final ResourceClient resources;
    /** The newest snippet generation; tasks of an older one keep the generation they were sent with. */
    private volatile Generation current;
    private final Link link;
    private final AgentNodeContext.NodeFacts facts;
    private final ThreadPoolExecutor pool;
    private final Map<Long, Future<?>> tasks = new ConcurrentHashMap<>();
    private final Map<Long, ElementStream> streams = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    /** Tasks already answered on the agent's behalf (it is giving up); their own outcome is not sent. */
    private final java.util.Set<Long> abandoned = ConcurrentHashMap.newKeySet();

    /** A snippet generation's loader and the serializer that resolves classes through it. */
    private record Generation(SnippetClassLoader loader) {
        /** Built on first use (Serialization keeps one per loader): building it is not on the way to listening. */
        ThreadSafeFory fory() {
            return Serialization.forLoader(loader);
        }
    }

    TaskRunner(SessionClassLoader loader, ResourceClient resources, Link link, AgentNodeContext.NodeFacts facts) {
        this.loader = loader;
        this.resources = resources;
        this.current = generation(0);
        this.link = link;
        this.facts = facts;
        java.util.concurrent.ThreadFactory threads = dev.skyward.wire.thread.DaemonThreads.numbered("skyward-task");
        this.pool = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = threads.newThread(r);
            t.setContextClassLoader(current.loader());
            return t;
        });
    }

    synchronized void setConcurrency(int concurrency) {
        int c = Math.max(1, concurrency);
        if (c > pool.getMaximumPoolSize()) {
            pool.setMaximumPoolSize(c);
            pool.setCorePoolSize(c);
        } else {
            pool.setCorePoolSize(c);
            pool.setMaximumPoolSize(c);
        }
    }

    void submit(long taskId, Payload payload, List<StaticSnapshot> statics, int snippetGeneration) {
        submit(taskId, payload, statics, List.of(), snippetGeneration, 0);
    }

    /**
     * As above, with the bytes of snippet classes sent along (see {@link SnippetClassLoader#offer}); a
     * {@code streamWindow > 0} streams the task's returned elements (see {@link ElementStream}).
     */
    void submit(long taskId, Payload payload, List<StaticSnapshot> statics, List<SnippetClass> classes,
            int snippetGeneration, int streamWindow) {
        Generation g = generationFor(snippetGeneration);
        // Only into the generation they were read for: a task of an older one runs in a newer loader,
        // where its bytes could be older code than the client now has.
        if (!classes.isEmpty() && g.loader().generation() == snippetGeneration) {
            g.loader().offer(classes);
        }
        ElementStream stream = streamWindow > 0 ? new ElementStream(taskId, streamWindow, link) : null;
        if (stream != null) {
            streams.put(taskId, stream);
        }
        // Registered before it can run, so a Cancel that arrives at once finds it.
        FutureTask<Void> task = new FutureTask<>(() -> run(taskId, payload, statics, g, stream), null);
        tasks.put(taskId, task);
        pool.execute(task);
    }

    /** Called in the order tasks arrive, so a generation, once started, serves every later task. */
    private synchronized Generation generationFor(int wanted) {
        Generation g = current;
        if (wanted > g.loader().generation()) {
            g = generation(wanted);
            current = g;
        }
        return g;
    }

    private Generation generation(int n) {
        SnippetClassLoader l = new SnippetClassLoader(loader, resources, n);
        return new Generation(l);
    }

    /**
     * Builds the first generation's serializer off the caller's thread, once the agent listens: the
     * client's handshake and first task arrive while it builds instead of waiting for it (~60 ms).
     */
    void warmUp() {
        Serialization.warmUpInBackground(current.loader());
    }

    /** The client consumed more elements of a streamed task. */
    void demand(long taskId, int count) {
        ElementStream s = streams.get(taskId);
        if (s != null) {
            s.grant(count);
        }
    }

    private void run(long taskId, Payload payload, List<StaticSnapshot> statics, Generation g, ElementStream stream) {
        ThreadSafeFory fory = g.fory();
        Thread.currentThread().setContextClassLoader(g.loader());
        running.incrementAndGet();
        OutputCapture.TaskSink sink = OutputCapture.open(taskId, link);
        try {
            Object value;
            try {
                for (StaticSnapshot s : statics) {
                    g.loader().refreshStatics(s.getClassName(), s.getValues().toByteArray());
                }
                Task<?> task = (Task<?>) payload.decode(fory);
                value = task.call(new AgentNodeContext(facts, taskId));
                if (stream != null) {
                    value = stream.send(value, fory);
                }
            } catch (Throwable t) {
                OutputCapture.close(sink);
                if (!abandoned.contains(taskId)) {
                    sendError(taskId, t);
                }
                return;
            }
            Payload bytes;
            try {
                bytes = Payload.encode(fory, value);
            } catch (Throwable t) {
                OutputCapture.close(sink);
                sendError(taskId, new TaskSerializationException("the task's result of type "
                        + value.getClass().getName() + " cannot be sent back to the client: " + t, t));
                return;
            }
            OutputCapture.close(sink);
            sendValue(taskId, bytes);
        } finally {
            running.decrementAndGet();
            tasks.remove(taskId);
            streams.remove(taskId);
        }
    }

    /** The result frame, then its chunks: Fory's bytes when they do not fit the frame, and the large arrays. */
    private void sendValue(long taskId, Payload value) {
        byte[] bytes = value.bytes();
        boolean inline = Payloads.inline(bytes.length);
        Result.Builder r = Result.newBuilder().setTaskId(taskId);
        if (!value.arrays().isEmpty()) {
            r.addAllArraySizes(Payloads.arraySizes(value));
        }
        if (inline) {
            r.setValue(Payloads.wrap(bytes));
        } else {
            r.setValueSize(bytes.length);
        }
        link.send(AgentFrame.newBuilder().setResult(r).build());
        Payloads.chunk(taskId, value, inline, c -> link.send(AgentFrame.newBuilder().setChunk(c).build()));
    }

    /** Answers a task that cannot run here (its payload does not fit) with {@code why}. */
    void refuse(long taskId, Throwable why) {
        sendError(taskId, why);
    }

    private void sendError(long taskId, Throwable t) {
        ErrorInfo info = ErrorCodec.encode(t);
        link.send(AgentFrame.newBuilder().setResult(Result.newBuilder().setTaskId(taskId).setError(info)).build());
    }

    void cancel(long taskId) {
        streams.remove(taskId);
        Future<?> f = tasks.remove(taskId);
        if (f != null) {
            f.cancel(true);
        }
    }

    /**
     * The agent is giving up (no heartbeat, lifetime over): every queued or running task is answered
     * as lost, with the reason, and then interrupted; what the interrupted tasks throw is not sent.
     */
    void abandonAll(String reason) {
        for (Long id : List.copyOf(tasks.keySet())) {
            abandoned.add(id);
            link.send(AgentFrame.newBuilder().setResult(Result.newBuilder().setTaskId(id).setError(
                    ErrorInfo.newBuilder().setClassName("dev.skyward.NodeLostException")
                            .setMessage("node " + facts.rank() + " stopped: " + reason).setHasMessage(true)))
                    .build());
            cancel(id);
        }
    }

    int cancelAll() {
        int n = 0;
        for (Long id : List.copyOf(tasks.keySet())) {
            cancel(id);
            n++;
        }
        return n;
    }

    /** Tasks queued or running here. */
    java.util.Set<Long> ids() {
        return java.util.Set.copyOf(tasks.keySet());
    }

    int running() {
        return running.get();
    }

    int queued() {
        return pool.getQueue().size();
    }

    boolean awaitIdle(long millis) throws InterruptedException {
        pool.shutdown();
        return pool.awaitTermination(millis, TimeUnit.MILLISECONDS);
    }
}
