package dev.skyward.agent;

import dev.skyward.wire.proto.AgentFrame;
import dev.skyward.wire.proto.Output;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Routes what tasks print to their client, line by line and tagged with the task, so two tasks
 * running at once on one node never mix their output. Output from threads that belong to no task
 * goes to the client too.
 *
 * <p>Threads a task starts inherit its sink (an inheritable thread-local). Threads of shared pools
 * (the common fork-join pool behind parallel streams and {@code CompletableFuture.runAsync}) belong
 * to no task, or still carry the closed sink of an earlier one: their lines go to the one task
 * running, or, when several run at once and the line cannot be told apart, to the client as the
 * node's own output (task id 0). Only while no client is connected do they go to the agent's log.
 */
final class OutputCapture {

    private static final InheritableThreadLocal<TaskSink> CURRENT = new InheritableThreadLocal<>();
    /** Sinks of the tasks running now. */
    private static final Set<TaskSink> OPEN = ConcurrentHashMap.newKeySet();
    /** Lines of no particular task, per stream and thread: a shared buffer would splice partial lines. */
    private static final ThreadLocal<TaskSink> NODE = new ThreadLocal<>();
    private static volatile Link nodeLink;

    private OutputCapture() {
    }

    static void install(Link link) {
        nodeLink = link;
        PrintStream out = System.out;
        PrintStream err = System.err;
        System.setOut(new PrintStream(new Router(Output.Stream.STDOUT, out), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Router(Output.Stream.STDERR, err), true, StandardCharsets.UTF_8));
    }

    static TaskSink open(long taskId, Link link) {
        TaskSink sink = new TaskSink(taskId, link);
        CURRENT.set(sink);
        OPEN.add(sink);
        return sink;
    }

    static void close(TaskSink sink) {
        System.out.flush();
        System.err.flush();
        sink.flush();
        OPEN.remove(sink);
        CURRENT.remove();
    }

    /** Where a line of a thread that belongs to no running task goes; null: the agent's log. */
    private static TaskSink unattributed() {
        if (OPEN.size() == 1) {
            for (TaskSink only : OPEN) {
                if (!only.closed) {
                    return only;
                }
            }
        }
        Link link = nodeLink;
        if (link == null || !link.attached()) {
            return null;
        }
        TaskSink node = NODE.get();
        if (node == null) {
            node = new TaskSink(0, link);
            NODE.set(node);
        }
        return node;
    }

    /** Buffers one task's partial lines per stream and sends complete ones. */
    static final class TaskSink {
        private final long taskId;
        private final Link link;
        private final ByteArrayOutputStream outLine = new ByteArrayOutputStream();
        private final ByteArrayOutputStream errLine = new ByteArrayOutputStream();
        private volatile boolean closed;

        TaskSink(long taskId, Link link) {
            this.taskId = taskId;
            this.link = link;
        }

        synchronized void write(Output.Stream stream, byte[] b, int off, int len) {
            ByteArrayOutputStream line = stream == Output.Stream.STDOUT ? outLine : errLine;
            List<String> lines = null;
            int start = off;
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    line.write(b, start, i - start);
                    if (lines == null) {
                        lines = new ArrayList<>();
                    }
                    lines.add(takeLine(line));
                    start = i + 1;
                }
            }
            line.write(b, start, off + len - start);
            if (lines != null) {
                send(stream, lines);
            }
        }

        synchronized void flush() {
            if (outLine.size() > 0) {
                send(Output.Stream.STDOUT, List.of(takeLine(outLine)));
            }
            if (errLine.size() > 0) {
                send(Output.Stream.STDERR, List.of(takeLine(errLine)));
            }
            closed = true;
        }

        private static String takeLine(ByteArrayOutputStream line) {
            String s = line.toString(StandardCharsets.UTF_8);
            line.reset();
            return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }

        private void send(Output.Stream stream, List<String> lines) {
            link.send(AgentFrame.newBuilder().setOutput(
                    Output.newBuilder().setTaskId(taskId).setStream(stream).addAllLines(lines)).build());
        }
    }

    /** The OutputStream behind System.out/err: to the current task, or to the agent log. */
    private static final class Router extends OutputStream {
        private final Output.Stream stream;
        private final PrintStream fallback;

        Router(Output.Stream stream, PrintStream fallback) {
            this.stream = stream;
            this.fallback = fallback;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            TaskSink sink = CURRENT.get();
            if (sink == null || sink.closed) {
                sink = unattributed();
            }
            if (sink == null) {
                fallback.write(b, off, len);
            } else {
                sink.write(stream, b, off, len);
            }
        }

        @Override
        public void flush() {
            fallback.flush();
        }
    }
}
