package dev.skyward.parallel;

import dev.skyward.TaskSerializationException;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.concurrent.CompletableFuture;

/** Checks, on the caller's thread, that a task handed to the executor can travel to a node. */
final class Travel {

    private Travel() {
    }

    /** Rejects what can never travel: a non-serializable class, or a JDK CompletableFuture step. */
    static void requireSerializable(Object task, String kind) {
        if (task instanceof CompletableFuture.AsynchronousCompletionTask) {
            throw new TaskSerializationException("the executor was handed " + task.getClass().getName()
                    + ", the JDK's internal step of a CompletableFuture (supplyAsync, runAsync or a *Async stage "
                    + "given this executor): it holds the local future it must complete, so it cannot run on a "
                    + "node. Use pool.executor().supplyAsync(() -> ...) or runAsync(() -> ...) instead, and "
                    + "thenCompose(v -> executor.supplyAsync(() -> f(v))) for a remote step in a chain");
        }
        if (task instanceof java.util.concurrent.FutureTask) {
            throw new TaskSerializationException("the executor was handed " + task.getClass().getName()
                    + ", a JDK FutureTask wrapping the real task (ExecutorCompletionService does this): it completes a "
                    + "future in this JVM, so it cannot run on a node. For results in completion order use "
                    + "pool.mapUnordered(items, fn), or submit to the executor and combine its CompletableFutures");
        }
        if (!(task instanceof Serializable)) {
            throw new TaskSerializationException("the " + kind + " " + describe(task) + " is not Serializable, so it "
                    + "cannot travel to a node: type the lambda as dev.skyward.parallel.Remote" + kind + " (e.g. "
                    + "RemoteCallable<Double> c = () -> ...), cast it as (" + kind + " & Serializable), or make its "
                    + "class implement java.io.Serializable");
        }
    }

    /**
     * Serializes the task by Java serialization's rules into nothing, for a task that waits in the
     * executor's queue: it is sent later, from another thread, and must fail here, not there.
     */
    static void requireTravels(Object task, String kind) {
        try (ObjectOutputStream out = new ObjectOutputStream(OutputStream.nullOutputStream())) {
            out.writeObject(task);
        } catch (NotSerializableException e) {
            throw new TaskSerializationException("the " + kind + " " + describe(task) + " captures an object of type "
                    + e.getMessage() + ", which is not Serializable; capture serializable values instead, or make "
                    + "the field transient", e);
        } catch (IOException | RuntimeException e) {
            throw new TaskSerializationException("the " + kind + " " + describe(task) + " cannot be serialized: " + e,
                    e);
        }
    }

    private static String describe(Object task) {
        String name = task.getClass().getName();
        int lambda = name.indexOf("$$Lambda");
        return lambda > 0 ? "(a lambda in " + name.substring(0, lambda) + ")" : "of type " + name;
    }
}
