package dev.skyward.classload;

import dev.skyward.TaskSerializationException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The bytes of a class that lives in no jar, read on the client, in a JVM started without flags.
 *
 * <p>Two ways, in this order:
 * <ol>
 *   <li>The defining loader's resources ({@code getResourceAsStream}): build output directories,
 *   URL class loaders, and the JDK's own JShell loader, which IJava and {@code jshell} use.</li>
 *   <li>The definitions the loader keeps: a REPL loader defines each snippet class from bytes it holds
 *   in a map from class name to {@code byte[]} (JJava's loader does, and answers {@code null} to
 *   {@code getResource}). The map is found by looking through the loader's fields and the objects they
 *   hold (a few levels deep, no JDK internals), and an entry is used only when its bytes are a class
 *   file of exactly the class asked for, so a wrong map can never give wrong code.</li>
 * </ol>
 *
 * <p>Why not instrumentation, which sees every class of every loader: in a JVM started without
 * {@code -javaagent} it needs the Attach API from a helper process ({@code jdk.attach} is absent from
 * trimmed runtimes), JDK 21 and later print a warning on the user's console for every dynamically
 * loaded agent, and JEP 451 announces that a future JDK refuses them by default. Kernels and REPLs run
 * their loaders from the class path (the unnamed module), whose fields reflection may read without
 * flags, so the loader's own definitions are the dependable second source.
 */
final class Bytecode {

    private static final int MAX_DEPTH = 3;

    /** Per loader, the maps of its fields that may hold definitions; found once, looked up again on a miss. */
    private static final Map<ClassLoader, List<Map<?, ?>>> DEFINITIONS = new WeakHashMap<>();

    private Bytecode() {
    }

    /**
     * @param className binary name, e.g. {@code REPL.$JShell$18}
     * @return the class file, or {@code null} when neither way has it
     */
    static byte[] find(String className, ClassLoader loader) {
        String resource = className.replace('.', '/') + ".class";
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in != null) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            // fall through to the loader's definitions
        }
        return fromDefinitions(className, loader);
    }

    /**
     * The bytes of a loaded class; fails, naming its loader, when they cannot be had.
     *
     * @throws TaskSerializationException when no way gives the bytes
     */
    static byte[] of(Class<?> c) {
        ClassLoader loader = c.getClassLoader();
        byte[] b = loader == null ? null : find(c.getName(), loader);
        if (b == null) {
            throw new TaskSerializationException(unavailable(c.getName(), loader));
        }
        return b;
    }

    /** The message for a class whose bytes no way gives. */
    static String unavailable(String className, ClassLoader loader) {
        String l = loader == null ? "the bootstrap loader" : loader.getClass().getName()
                + (loader.getName() != null ? " '" + loader.getName() + "'" : "");
        return "cannot send class " + className + " to the nodes: its class loader (" + l + ") neither serves its"
                + " bytes as a resource (getResourceAsStream returned null) nor keeps them in a map Skyward can"
                + " read. Define the task in a compiled class on the class path, or run it from a REPL whose"
                + " loader serves class bytes (jshell, IJava, JJava are known to work).";
    }

    private static byte[] fromDefinitions(String className, ClassLoader loader) {
        List<Map<?, ?>> maps;
        synchronized (DEFINITIONS) {
            maps = DEFINITIONS.get(loader);
        }
        byte[] b = maps == null ? null : lookup(maps, className);
        if (b == null) {
            maps = definitionMaps(loader);
            synchronized (DEFINITIONS) {
                DEFINITIONS.put(loader, maps);
            }
            b = lookup(maps, className);
        }
        return b;
    }

    private static byte[] lookup(List<Map<?, ?>> maps, String className) {
        String internal = className.replace('.', '/');
        for (Map<?, ?> m : maps) {
            for (String key : new String[] {className, internal, internal + ".class"}) {
                Object v;
                try {
                    v = m.get(key);
                } catch (RuntimeException e) {
                    continue; // a map keyed by something else
                }
                if (v instanceof byte[] bytes && className.equals(ClassFile.nameOf(bytes))) {
                    return bytes.clone();
                }
            }
        }
        return null;
    }

    private static List<Map<?, ?>> definitionMaps(ClassLoader loader) {
        List<Map<?, ?>> out = new ArrayList<>();
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> work = new ArrayDeque<>();
        work.add(new Object[] {loader, 0});
        while (!work.isEmpty()) {
            Object[] item = work.poll();
            Object o = item[0];
            int depth = (Integer) item[1];
            if (o == null || !seen.add(o)) {
                continue;
            }
            if (o instanceof Map<?, ?> m) {
                out.add(m);
                continue;
            }
            if (depth >= MAX_DEPTH || o.getClass().isArray()) {
                continue;
            }
            for (Class<?> c = o.getClass(); c != null && !isJdk(c); c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
                        continue;
                    }
                    try {
                        f.setAccessible(true);
                        Object v = f.get(o);
                        if (v != null && (v instanceof Map || !isJdk(v.getClass()))) {
                            work.add(new Object[] {v, depth + 1});
                        }
                    } catch (InaccessibleObjectException | IllegalAccessException | SecurityException e) {
                        // a loader in a named module that does not open itself: nothing to read here
                    }
                }
            }
        }
        return out;
    }

    private static boolean isJdk(Class<?> c) {
        String n = c.getName();
        return n.startsWith("java.") || n.startsWith("javax.") || n.startsWith("jdk.") || n.startsWith("sun.")
                || n.startsWith("com.sun.");
    }
}
