package dev.skyward.pool;

import dev.skyward.NodeLostException;
import dev.skyward.PoolClosedException;
import dev.skyward.SkywardException;
import dev.skyward.TaskFailedException;
import dev.skyward.TaskSerializationException;
import dev.skyward.classload.CodeServer;
import dev.skyward.classload.SnippetStatics;
import dev.skyward.wire.serial.ErrorCodec;
import dev.skyward.wire.serial.Payload;
import dev.skyward.wire.serial.Serialization;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a task becomes on its way to a node and what its answer becomes on the way back: the task's
 * bytes (with the client's snippet variables it reads checked and diffed per node), the frame sent
 * with the classes and variable values the node lacks, and the result or failure as the caller's
 * value or exception. One per pool; {@link Call} goes through it for every attempt, so nothing on a
 * call's path calls back into the pool.
 */
final class TaskCodec {

    private final CodeServer code;
    private final AtomicLong taskIds = new AtomicLong();

    TaskCodec(CodeServer code) {
        this.code = code;
    }

    /** The task's bytes, after checking what it captures of the client's snippets. */
    Payload encode(Object task, ClassLoader loader, String label) {
        code.statics().prepare(task, label);
        return serialize(task, loader, label);
    }

    /** Checks what a function many elements share captures of the client's snippets, once for all. */
    void prepare(Object fn, String label) {
        code.statics().prepare(fn, label);
    }

    /** The value's bytes; its classes are served to nodes that ask for them. */
    Payload serialize(Object value, ClassLoader loader, String label) {
        code.register(loader);
        try {
            return Payload.encode(Serialization.forLoader(loader), value);
        } catch (RuntimeException e) {
            throw new TaskSerializationException("the " + label + " cannot be serialized: " + e.getMessage(), e);
        }
    }

    /** A fresh task id, for a task sent by hand (a stream) rather than by {@link #send}. */
    long nextId() {
        return taskIds.incrementAndGet();
    }

    /** Sends the task's bytes to the node with what it needs of the client's snippets. */
    PendingTask send(NodeConnection node, Object task, Payload payload, ClassLoader loader) {
        // Locked so that the node receives its tasks in the order their variable values were diffed.
        synchronized (node.snippets()) {
            return node.send(nextId(), payload, shipment(node, task), loader);
        }
    }

    /** What the node lacks of the client's snippets for the task; call it holding {@code node.snippets()}. */
    SnippetStatics.Shipment shipment(NodeConnection node, Object task) {
        return code.statics().shipment(task, node.snippets());
    }

    /** A task's result bytes as a value of the client's classes. */
    @SuppressWarnings("unchecked")
    static <T> T decode(Payload bytes, ClassLoader loader, long id, int rank) {
        try {
            return (T) bytes.decode(Serialization.forLoader(loader));
        } catch (RuntimeException e) {
            throw new TaskSerializationException("the result of task " + id + " from node " + rank
                    + " cannot be deserialized here: " + e.getMessage(), e);
        }
    }

    /** A task's failure as the exception the user sees, thrown from the calling thread. */
    static RuntimeException translate(Throwable error, ClassLoader loader, long id, int rank) {
        if (error instanceof RemoteFailure rf && rf.info.getClassName().equals(NodeLostException.class.getName())) {
            return new NodeLostException(rank, rf.info.getMessage(), null);
        }
        if (error instanceof RemoteFailure rf) {
            Throwable cause = ErrorCodec.decode(rf.info, loader);
            return RemoteTrace.onTop(new TaskFailedException(id, rank, cause), cause, rank);
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
        return new SkywardException("task " + id + " failed: " + error, error);
    }

    /** The loader a task's classes come from (the system loader for bootstrap-loaded ones). */
    static ClassLoader loaderOf(Object task) {
        ClassLoader l = task.getClass().getClassLoader();
        return l != null ? l : ClassLoader.getSystemClassLoader();
    }
}
