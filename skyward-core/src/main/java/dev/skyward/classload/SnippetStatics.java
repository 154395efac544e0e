package dev.skyward.classload;

import dev.skyward.TaskSerializationException;
import dev.skyward.serial.CaptureInspector;
import dev.skyward.wire.proto.StaticSnapshot;
import dev.skyward.wire.serial.Serialization;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JShell's top-level variables are static fields of snippet classes; on a node a freshly loaded
 * snippet class would hold 0 and null. So every snippet class shipped to a node carries the current
 * values of its static fields, and every later task carries the values that changed since (a
 * variable reassigned in the REPL), so a task never reads a stale or silently empty variable.
 * A value that cannot travel fails the task at submit time, naming the variable.
 */
public final class SnippetStatics {

    private final Map<String, Class<?>> shipped = new ConcurrentHashMap<>();

    /** Whether a class is a JShell snippet class (JShell puts them in package {@code REPL}). */
    static boolean isSnippet(String className) {
        return className.startsWith("REPL.");
    }

    /** The current values of a snippet class's variables, serialized; remembers the class for refreshes. */
    byte[] snapshot(Class<?> c) {
        byte[] values = encode(c);
        shipped.put(c.getName(), c);
        return values;
    }

    /**
     * Values that differ from what a node last received.
     *
     * @param lastSent per class, the bytes the node has; updated in place
     * @return the snapshots to send with the next task, often empty
     */
    public List<StaticSnapshot> changes(Map<String, byte[]> lastSent) {
        if (shipped.isEmpty()) {
            return List.of();
        }
        List<StaticSnapshot> out = new ArrayList<>();
        for (Class<?> c : shipped.values()) {
            byte[] now = encode(c);
            byte[] before = lastSent.get(c.getName());
            if (before == null || !Arrays.equals(before, now)) {
                lastSent.put(c.getName(), now);
                out.add(StaticSnapshot.newBuilder().setClassName(c.getName())
                        .setValues(com.google.protobuf.ByteString.copyFrom(now)).build());
            }
        }
        return out;
    }

    private static byte[] encode(Class<?> c) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Field f : c.getDeclaredFields()) {
            int m = f.getModifiers();
            if (!Modifier.isStatic(m) || Modifier.isFinal(m)) {
                continue;
            }
            try {
                f.setAccessible(true);
                Object v = f.get(null);
                if (v != null) {
                    CaptureInspector.check(v, "JShell variable '" + f.getName() + "'");
                }
                values.put(f.getName(), v);
            } catch (TaskSerializationException e) {
                throw e;
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new TaskSerializationException("cannot read JShell variable '" + f.getName() + "': " + e, e);
            }
        }
        try {
            return Serialization.forLoader(c.getClassLoader()).serialize(values);
        } catch (RuntimeException e) {
            throw new TaskSerializationException("a JShell variable declared in " + c.getName() + " (one of "
                    + values.keySet() + ") cannot be sent to the nodes: " + e.getMessage()
                    + ". Tasks read top-level variables from the nodes' copy; keep non-serializable values "
                    + "(pools, connections, streams) out of the variables your tasks use.", e);
        }
    }
}
