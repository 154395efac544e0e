package dev.skyward.classload;

import dev.skyward.TaskSerializationException;
import dev.skyward.serial.CaptureInspector;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JShell code and top-level variables one task reaches: starting from the task object (a lambda's
 * body, the snippet types among the objects it captures), following the code of snippet classes
 * method by method, and following the values of the variables it reads, until nothing new turns up.
 *
 * <p>Method by method, not class by class: the class of a cell like {@code pool.run(ctx -> 1)} also
 * holds the cell's own code, which reads {@code pool} and stores the result in a hidden {@code $N}
 * variable; the task's lambda body reads neither, so neither travels.
 *
 * <p>Conservative where code is dynamic: a snippet type that is instantiated, cast to or named as a
 * constant contributes all its methods (virtual calls may land on any of them).
 */
final class SnippetReach {

    private static final String ALL = "*";
    private static final Map<String, ClassFile> PARSED = new java.util.concurrent.ConcurrentHashMap<>();

    /** Snippet classes reached, with the bytes their hash is taken of. */
    final Map<String, byte[]> classes = new LinkedHashMap<>();
    /** Top-level variables read: the field, and its value when the reach was taken. */
    final Map<Field, Object> variables = new LinkedHashMap<>();

    private final Map<String, ClassLoader> loaders = new HashMap<>();
    private final Map<String, ClassFile> files = new HashMap<>();
    private final Set<String> done = new HashSet<>();
    private final Deque<String[]> work = new ArrayDeque<>();

    /**
     * @throws TaskSerializationException when a variable the task reads cannot travel, or a snippet
     *     class's bytes cannot be had
     */
    static SnippetReach of(Object task, String label) {
        SnippetReach r = new SnippetReach();
        CaptureInspector.check(task, label, r::object);
        r.drain();
        return r;
    }

    private void object(Object o) {
        Class<?> c = o.getClass();
        SerializedLambda sl = CaptureInspector.serializedLambda(o);
        if (sl != null) {
            String owner = sl.getImplClass().replace('/', '.');
            if (SnippetStatics.isSnippet(owner)) {
                loaders.putIfAbsent(owner, c.getClassLoader());
                add(owner, sl.getImplMethodName() + sl.getImplMethodSignature());
            }
        } else {
            for (Class<?> k = c; k != null && SnippetStatics.isSnippet(k.getName()); k = k.getSuperclass()) {
                loaders.putIfAbsent(k.getName(), k.getClassLoader());
                add(k.getName(), ALL);
            }
        }
    }

    private void add(String owner, String method) {
        if (done.add(owner + "#" + method)) {
            work.push(new String[] {owner, method});
        }
    }

    private void drain() {
        while (!work.isEmpty()) {
            String[] item = work.pop();
            ClassFile cf = file(item[0]);
            if (cf == null) {
                continue;
            }
            if (item[1].equals(ALL)) {
                cf.methods().values().forEach(code -> follow(cf, code));
            } else {
                ClassFile.Code code = cf.methods().get(item[1]);
                if (code != null) {
                    follow(cf, code);
                } else {
                    // Inherited: from a snippet superclass, or a default method of a snippet interface.
                    List<String> supers = new ArrayList<>(cf.interfaces());
                    if (cf.superName() != null) {
                        supers.add(cf.superName());
                    }
                    for (String s : supers) {
                        if (SnippetStatics.isSnippet(s)) {
                            loaders.putIfAbsent(s, loaders.get(cf.name()));
                            add(s, item[1]);
                        }
                    }
                }
            }
        }
    }

    private void follow(ClassFile from, ClassFile.Code code) {
        ClassLoader loader = loaders.get(from.name());
        for (ClassFile.Ref call : code.calls()) {
            if (SnippetStatics.isSnippet(call.owner())) {
                loaders.putIfAbsent(call.owner(), loader);
                add(call.owner(), call.name() + call.descriptor());
            }
        }
        for (String c : code.classes()) {
            if (SnippetStatics.isSnippet(c)) {
                loaders.putIfAbsent(c, loader);
                add(c, ALL);
            }
        }
        for (ClassFile.Ref read : code.staticReads()) {
            if (SnippetStatics.isSnippet(read.owner())) {
                loaders.putIfAbsent(read.owner(), loader);
                file(read.owner());
                read(read, loader);
            }
        }
    }

    private void read(ClassFile.Ref ref, ClassLoader loader) {
        Field f = field(ref, loader);
        if (f == null || variables.containsKey(f)) {
            return;
        }
        Object v;
        try {
            f.setAccessible(true);
            v = f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new TaskSerializationException("cannot read JShell variable '" + f.getName() + "': " + e, e);
        }
        variables.put(f, v);
        if (v != null) {
            CaptureInspector.check(v, "JShell variable '" + f.getName() + "'", this::object);
        }
    }

    /** The static, non-final field a {@code getstatic} names; {@code null} for constants. */
    private static Field field(ClassFile.Ref ref, ClassLoader loader) {
        try {
            for (Class<?> c = Class.forName(ref.owner(), false, loader); c != null; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (f.getName().equals(ref.name())) {
                        int m = f.getModifiers();
                        return Modifier.isStatic(m) && !Modifier.isFinal(m) ? f : null;
                    }
                }
            }
        } catch (ClassNotFoundException | LinkageError e) {
            // not loadable here: nothing the client could send
        }
        return null;
    }

    private ClassFile file(String name) {
        ClassFile cf = files.get(name);
        if (cf != null) {
            return cf;
        }
        ClassLoader loader = loaders.get(name);
        if (loader == null) {
            return null;
        }
        Class<?> c = loaded(name, loader);
        if (c == null) {
            return null; // named in code, never defined (a snippet that failed to compile): nothing to send
        }
        // From the defining loader: another JShell session in this JVM may use the same class names.
        byte[] bytes = c.getClassLoader() == null ? null : Bytecode.find(name, c.getClassLoader());
        if (bytes == null) {
            throw new TaskSerializationException(Bytecode.unavailable(name, c.getClassLoader()));
        }
        String sha = SnippetStatics.version(bytes);
        try {
            cf = PARSED.computeIfAbsent(sha, k -> ClassFile.parse(bytes));
        } catch (IllegalArgumentException e) {
            throw new TaskSerializationException("cannot work out what the task reads from JShell: the class file of "
                    + name + " is not readable (" + e.getMessage() + "). Please report this with your JDK version.", e);
        }
        files.put(name, cf);
        classes.put(name, bytes);
        return cf;
    }

    private static Class<?> loaded(String name, ClassLoader loader) {
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }
}
