package dev.skyward.serial;

import dev.skyward.TaskSerializationException;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks, before anything is sent, that a task and everything it reaches can travel, and names the
 * first thing that cannot, with the path to it.
 *
 * <p>The rule is Java serialization's, which Java developers know from Spark and RMI: every object
 * reached must implement {@link Serializable}; {@code transient} and static fields are not followed.
 * Fory could serialize more (it ignores the marker), but a captured {@code Connection}, {@code Thread}
 * or {@code InputStream} "serialized" field by field arrives as a broken object — better a clear error
 * here than a baffling one on the node.
 *
 * <p>JDK classes are trusted once they are Serializable, except that collections, maps and arrays are
 * looked into, since they commonly carry user objects.
 */
public final class CaptureInspector {

    private static final ClassValue<List<Field>> FIELDS = new ClassValue<>() {
        @Override
        protected List<Field> computeValue(Class<?> type) {
            List<Field> out = new ArrayList<>();
            for (Class<?> c = type; c != null && !isJdk(c); c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    int m = f.getModifiers();
                    if (Modifier.isStatic(m) || Modifier.isTransient(m) || f.getType().isPrimitive()) {
                        continue;
                    }
                    try {
                        f.setAccessible(true);
                        out.add(f);
                    } catch (InaccessibleObjectException | SecurityException e) {
                        // A class in a named module that does not open itself: serializers cannot read it either.
                    }
                }
            }
            return List.copyOf(out);
        }
    };

    /** Each lambda class's writeReplace, looked up once: reflection per task would cost more than the check. */
    private static final ClassValue<Method> WRITE_REPLACE = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                Method m = type.getDeclaredMethod("writeReplace");
                m.setAccessible(true);
                return m;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    };

    private CaptureInspector() {
    }

    /**
     * @param root the task (or task argument)
     * @param label how to call the root in a message, e.g. {@code "task"}
     * @throws TaskSerializationException naming the first object that cannot travel and its path
     */
    public static void check(Object root, String label) {
        check(root, label, o -> { });
    }

    /**
     * Like {@link #check(Object, String)}, and shows every object it walks through (lambdas included,
     * JDK leaves such as strings and numbers left out) to {@code reached}.
     *
     * @param reached called once per object reached, after it passed the check
     */
    public static void check(Object root, String label, java.util.function.Consumer<Object> reached) {
        if (root == null || isLeaf(root.getClass())) {
            return; // a map over strings or numbers checks each element: nothing to walk, nothing to allocate
        }
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Step> work = new ArrayDeque<>();
        work.push(new Step(root, null, label));
        while (!work.isEmpty()) {
            Step s = work.pop();
            Object o = s.value;
            if (o == null || isLeaf(o.getClass()) || !seen.add(o)) {
                continue;
            }
            Class<?> c = o.getClass();
            if (c.isArray()) {
                if (!c.getComponentType().isPrimitive()) {
                    Object[] a = (Object[]) o;
                    for (int i = a.length - 1; i >= 0; i--) {
                        work.push(new Step(a[i], s, "[" + i + "]"));
                    }
                }
                continue;
            }
            if (!(o instanceof Serializable)) {
                throw new TaskSerializationException(describe(s, c) + " does not implement java.io.Serializable, so it"
                        + " cannot be sent to the nodes. Make it Serializable, mark the field transient, or capture only"
                        + " the values the task needs (copy them into local variables before the lambda).");
            }
            reached.accept(o);
            if (isLambda(c)) {
                SerializedLambda sl = serializedLambda(o);
                if (sl != null) {
                    for (int i = sl.getCapturedArgCount() - 1; i >= 0; i--) {
                        work.push(new Step(sl.getCapturedArg(i), s, "captured value " + (i + 1)));
                    }
                }
                continue;
            }
            if (isJdk(c)) {
                if (o instanceof Collection<?> col) {
                    int i = 0;
                    for (Object e : col) {
                        work.push(new Step(e, s, "element " + i++));
                    }
                } else if (o instanceof Map<?, ?> map) {
                    for (Map.Entry<?, ?> e : map.entrySet()) {
                        work.push(new Step(e.getKey(), s, "key"));
                        work.push(new Step(e.getValue(), s, "value of key " + abbreviate(e.getKey())));
                    }
                }
                continue;
            }
            for (Field f : FIELDS.get(c)) {
                Object v;
                try {
                    v = f.get(o);
                } catch (IllegalAccessException e) {
                    continue;
                }
                work.push(new Step(v, s, "field '" + f.getName() + "'"));
            }
        }
    }

    private static boolean isLeaf(Class<?> c) {
        return c == String.class || c.isPrimitive() || c.isEnum() || Number.class.isAssignableFrom(c) && isJdk(c)
                || c == Boolean.class || c == Character.class || c == Class.class;
    }

    private static boolean isJdk(Class<?> c) {
        String n = c.getName();
        return n.startsWith("java.") || n.startsWith("javax.") || n.startsWith("jdk.") || n.startsWith("sun.")
                || n.startsWith("com.sun.");
    }

    private static boolean isLambda(Class<?> c) {
        return c.isSynthetic() && c.getName().contains("$$Lambda");
    }

    /** The serialized form of a serializable lambda (what it runs and captures), or {@code null} for anything else. */
    public static SerializedLambda serializedLambda(Object lambda) {
        if (!isLambda(lambda.getClass())) {
            return null;
        }
        Method m = WRITE_REPLACE.get(lambda.getClass());
        if (m == null) {
            return null;
        }
        try {
            return m.invoke(lambda) instanceof SerializedLambda sl ? sl : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static String describe(Step s, Class<?> type) {
        List<String> parts = new ArrayList<>();
        for (Step p = s; p != null; p = p.parent) {
            parts.add(p.label + " (" + typeName(p.value.getClass()) + ")");
        }
        Collections.reverse(parts);
        return typeName(type) + " at " + String.join(" -> ", parts);
    }

    private static String typeName(Class<?> c) {
        if (isLambda(c)) {
            String n = c.getName();
            return "lambda in " + n.substring(0, n.indexOf("$$Lambda"));
        }
        return c.getName();
    }

    private static String abbreviate(Object key) {
        String s = String.valueOf(key);
        return s.length() > 40 ? s.substring(0, 37) + "..." : s;
    }

    private record Step(Object value, Step parent, String label) {
    }
}
