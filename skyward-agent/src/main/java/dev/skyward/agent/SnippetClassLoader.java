package dev.skyward.agent;

import dev.skyward.wire.proto.ResourceReply;
import dev.skyward.wire.proto.SnippetClass;
import dev.skyward.wire.serial.Serialization;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads the client's JShell snippet classes (package {@code REPL}) for one snippet generation; every
 * other class comes from the session loader, its parent.
 *
 * <p>JShell may give a class new code under the same name ({@code jshell} redefines a method's body in
 * place). A class loader cannot forget a class, so when the client says a task belongs to a newer
 * generation, the node starts a new one of these and loads every snippet class afresh; classes from
 * jars and directories stay loaded once, in the session loader, with their static state.
 */
final class SnippetClassLoader extends ClassLoader {

    static {
        registerAsParallelCapable();
    }

    private final ResourceClient client;
    private final int generation;
    /** Values of top-level variables sent for classes not loaded yet; applied, in order, when they load. */
    private final Map<String, List<byte[]>> pending = new ConcurrentHashMap<>();
    /** Class files sent with tasks, by binary name, until the class is defined from them. */
    private final Map<String, byte[]> offered = new ConcurrentHashMap<>();

    SnippetClassLoader(SessionClassLoader parent, ResourceClient client, int generation) {
        super("skyward-snippets-" + generation, parent);
        this.client = client;
        this.generation = generation;
    }

    int generation() {
        return generation;
    }

    static boolean isSnippet(String name) {
        return name.startsWith("REPL.");
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!isSnippet(name)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                c = findClass(name);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    /**
     * Class files the client sent with a task (the snippet classes its code reaches): defined from
     * here when first needed, with no request to the client. A class already loaded keeps its code.
     */
    void offer(List<SnippetClass> classes) {
        for (SnippetClass c : classes) {
            if (isSnippet(c.getName())) {
                offered.putIfAbsent(c.getName(), c.getBytes().toByteArray());
            }
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (!isSnippet(name)) {
            throw new ClassNotFoundException(name);
        }
        byte[] sent = offered.remove(name);
        if (sent != null) {
            return define(name, sent);
        }
        ResourceReply reply;
        try {
            reply = client.fetch(name.replace('.', '/') + ".class");
        } catch (RuntimeException e) {
            throw new ClassNotFoundException(name + ": " + e.getMessage(), e);
        }
        switch (reply.getKindCase()) {
            case CLASS_BYTES -> {
                return define(name, reply.getClassBytes().getBytes().toByteArray());
            }
            case ERROR -> throw new ClassNotFoundException(reply.getError());
            default -> throw new ClassNotFoundException(name + " is found neither on this node nor on the client");
        }
    }

    private Class<?> define(String name, byte[] b) {
        Class<?> c = defineClass(name, b, 0, b.length);
        List<byte[]> values = pending.remove(name);
        if (values != null) {
            values.forEach(v -> apply(c, v));
        }
        return c;
    }

    /** Installs values of a snippet class's static fields (top-level variables), now or when the class loads. */
    void refreshStatics(String className, byte[] values) {
        synchronized (getClassLoadingLock(className)) {
            Class<?> c = findLoadedClass(className);
            if (c != null) {
                apply(c, values);
            } else {
                pending.computeIfAbsent(className, k -> new ArrayList<>()).add(values);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void apply(Class<?> c, byte[] values) {
        Map<String, Object> fields = (Map<String, Object>) Serialization.forLoader(this).deserialize(values);
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            try {
                Field f = c.getDeclaredField(e.getKey());
                if (Modifier.isStatic(f.getModifiers()) && !Modifier.isFinal(f.getModifiers())) {
                    f.setAccessible(true);
                    f.set(null, e.getValue());
                }
            } catch (ReflectiveOperationException | RuntimeException ex) {
                throw new IllegalStateException("cannot set " + c.getName() + "." + e.getKey() + " on this node: " + ex, ex);
            }
        }
    }
}
