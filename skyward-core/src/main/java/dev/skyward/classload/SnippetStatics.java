package dev.skyward.classload;

import com.google.protobuf.ByteString;
import dev.skyward.TaskSerializationException;
import dev.skyward.wire.proto.SnippetClass;
import dev.skyward.wire.proto.StaticSnapshot;
import dev.skyward.wire.serial.Serialization;
import java.lang.reflect.Field;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * JShell's top-level variables are static fields of snippet classes, and JShell may change a snippet
 * class's code in place; the nodes hold their own copies of both. Per task, this works out which
 * variables the task reads (see {@link SnippetReach}) and sends the values a node does not have yet,
 * and notices when a snippet class the task reaches no longer has the code the nodes loaded.
 *
 * <ul>
 *   <li>Only the variables the task reads travel, with what they reach: an unrelated variable that
 *   cannot travel (a pool, a thread, a cell's non-serializable result in a hidden {@code $N}) never
 *   fails a task. One the task does read fails it on the caller's thread, naming the variable.</li>
 *   <li>A redefinition that keeps the class name ({@code jshell} redefines a method's body in place)
 *   starts a new snippet generation: the nodes then load every snippet class afresh, in a new class
 *   loader, so tasks never run stale code, also where the changed code is reached only indirectly.</li>
 * </ul>
 */
public final class SnippetStatics {

    /** What one node holds: its snippet generation and the variable values it has been sent. */
    public static final class NodeState {
        private int generation;
        private final Map<String, byte[]> sent = new HashMap<>();
        /** Snippet classes whose bytes went with a task in this generation (one version per name in a generation). */
        private final Set<String> classes = new HashSet<>();
    }

    /** What travels with one task to one node. */
    public record Shipment(List<StaticSnapshot> statics, List<SnippetClass> classes, int generation) {
    }

    private record Plan(Map<String, byte[]> values, Map<String, byte[]> classes, int generation) {
    }

    private static final Plan NONE = new Plan(Map.of(), Map.of(), 0);

    /**
     * Loads and links what the first task over snippet code runs through (the class-file parser, the
     * snippet-class message), off the caller's thread while a pool starts: on a small machine that
     * first use was ~40 ms of a JShell {@code map}'s first call (PROFILING.md). Safe to call more than
     * once; failures are ignored, the first task does the same work anyway.
     */
    public static void warmUp() {
        try {
            byte[] bytes = Bytecode.of(SnippetStatics.class);
            ClassFile.parse(bytes);
            SnippetClass.newBuilder().setName(SnippetStatics.class.getName()).setBytes(ByteString.copyFrom(bytes))
                    .build().toByteArray();
            StaticSnapshot.newBuilder().setClassName("").setValues(ByteString.copyFrom(bytes, 0, 1)).build().toByteArray();
        } catch (RuntimeException | LinkageError e) {
            // Only a head start.
        }
    }

    /**
     * At most this many bytes of class files go with one task; the rest the node asks for. Snippet
     * classes are a few KiB each; this keeps an Execute frame well inside gRPC's message limit.
     */
    static final int MAX_CLASS_BYTES_PER_TASK = 1 << 20;

    /** Per snippet class name, the version the nodes of the current generation load. */
    private final Map<String, String> versions = new HashMap<>();
    private int generation;
    private boolean stale;
    private final Map<Object, Plan> plans = Collections.synchronizedMap(new WeakHashMap<>());

    /** Whether a class is a JShell snippet class (JShell puts them in package {@code REPL}). */
    static boolean isSnippet(String className) {
        return className.startsWith("REPL.");
    }

    /**
     * Checks that the task can travel (see {@link dev.skyward.serial.CaptureInspector}) and works out,
     * now, what it reaches; call once per submission, on the caller's thread, before {@link #shipment}.
     *
     * @param label how to call the task in a message, e.g. {@code "task"}
     * @throws TaskSerializationException when the task, or a variable it reads, cannot travel
     */
    public void prepare(Object task, String label) {
        plans.put(task, plan(task, label));
    }

    /**
     * What to send with the task to one node; call with the node's state locked, in the order the
     * node's tasks are sent.
     */
    public Shipment shipment(Object task, NodeState node) {
        Plan plan = plans.get(task);
        if (plan == null) {
            plan = plan(task, "task");
            plans.put(task, plan);
        }
        if (plan == NONE) {
            return new Shipment(List.of(), List.of(), node.generation);
        }
        if (node.generation != plan.generation) {
            node.generation = plan.generation;
            node.sent.clear();
            node.classes.clear();
        }
        List<SnippetClass> classes = List.of();
        int classBytes = 0;
        for (Map.Entry<String, byte[]> e : plan.classes.entrySet()) {
            if (!node.classes.contains(e.getKey()) && classBytes + e.getValue().length <= MAX_CLASS_BYTES_PER_TASK) {
                node.classes.add(e.getKey());
                classBytes += e.getValue().length;
                if (classes.isEmpty()) {
                    classes = new ArrayList<>();
                }
                classes.add(SnippetClass.newBuilder().setName(e.getKey()).setBytes(ByteString.copyFrom(e.getValue())).build());
            }
        }
        List<StaticSnapshot> out = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : plan.values.entrySet()) {
            if (!Arrays.equals(node.sent.get(e.getKey()), e.getValue())) {
                node.sent.put(e.getKey(), e.getValue());
                out.add(StaticSnapshot.newBuilder().setClassName(e.getKey().substring(0, e.getKey().indexOf('#')))
                        .setValues(ByteString.copyFrom(e.getValue())).build());
            }
        }
        return new Shipment(out, classes, plan.generation);
    }

    /** A node was sent a snippet class's bytes on request: the version it now holds. */
    synchronized void served(String className, byte[] bytes) {
        String v = version(bytes);
        String before = versions.putIfAbsent(className, v);
        if (before != null && !before.equals(v)) {
            stale = true;
        }
    }

    private Plan plan(Object task, String label) {
        SnippetReach reach = SnippetReach.of(task, label);
        if (reach.classes.isEmpty()) {
            return NONE;
        }
        Map<String, byte[]> values = new LinkedHashMap<>();
        for (Map.Entry<Field, Object> e : reach.variables.entrySet()) {
            Field f = e.getKey();
            values.put(f.getDeclaringClass().getName() + "#" + f.getName(), encode(f, e.getValue()));
        }
        return new Plan(values, reach.classes, generationFor(reach.classes));
    }

    private synchronized int generationFor(Map<String, byte[]> classes) {
        Map<String, String> now = new HashMap<>();
        classes.forEach((name, bytes) -> now.put(name, version(bytes)));
        boolean changed = stale;
        for (Map.Entry<String, String> e : now.entrySet()) {
            String before = versions.get(e.getKey());
            changed |= before != null && !before.equals(e.getValue());
        }
        if (changed) {
            generation++;
            versions.clear();
            stale = false;
        }
        now.forEach(versions::putIfAbsent);
        return generation;
    }

    private static byte[] encode(Field f, Object value) {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put(f.getName(), value);
        try {
            return Serialization.forLoader(f.getDeclaringClass().getClassLoader()).serialize(one);
        } catch (RuntimeException e) {
            throw new TaskSerializationException("JShell variable '" + f.getName() + "' cannot be sent to the nodes: "
                    + e.getMessage() + ". Tasks read top-level variables from the nodes' copy; keep values that"
                    + " cannot travel (pools, connections, streams) out of the variables your tasks use.", e);
        }
    }

    /** A class file's version: its SHA-256. */
    static String version(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
