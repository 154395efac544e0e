package dev.skyward.wire.serial;

import com.google.protobuf.UnsafeByteOperations;
import dev.skyward.RemoteException;
import dev.skyward.wire.proto.ErrorInfo;
import dev.skyward.wire.proto.Frame;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.lang.reflect.Constructor;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Moves exceptions between JVMs without losing what a developer needs to debug them.
 *
 * <p>The facts travel as a Protobuf {@link ErrorInfo} (type, message, frames, cause, suppressed), and
 * the original rides along in Java serialization's form, which every {@link Throwable} supports and
 * which a client JVM reads back — private fields, cause, suppressed and frames included — without any
 * {@code --add-opens} flag. (A Throwable Fory rebuilds was made without a constructor, so its stack
 * trace is unwritable until {@code Throwable}'s private field is set by reflection, which needs
 * {@code --add-opens java.base/java.lang}; a user's {@code java -cp app.jar Main} has no such flag, and
 * the user's exception used to come back as a {@link RemoteException}.) The receiver returns that original when its class loads
 * there, else rebuilds the type from the facts, else a {@link RemoteException} with the same facts.
 */
public final class ErrorCodec {

    /** Larger serialized originals are left out; the Protobuf facts suffice. */
    private static final int MAX_SERIALIZED = 1 << 20;
    private static final int MAX_DEPTH = 32;
    /**
     * The agent's jar moves its libraries under this package (so tasks see their own); names sent
     * to the client are given back their upstream form, which is what a developer recognises.
     */
    private static final String RELOCATED = "dev.skyward.agent.shaded.";

    private ErrorCodec() {
    }

    /**
     * @param error the exception on this side
     * @return its description, with the serialized original when it can be serialized
     */
    public static ErrorInfo encode(Throwable error) {
        ErrorInfo.Builder info = describe(error, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
        byte[] bytes = serialize(error);
        if (bytes != null && bytes.length <= MAX_SERIALIZED) {
            info.setSerialized(UnsafeByteOperations.unsafeWrap(bytes));
        }
        return info.build();
    }

    /** The original in Java serialization's form, or null when something it holds is not serializable. */
    private static byte[] serialize(Throwable error) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(error);
        } catch (IOException | RuntimeException e) {
            return null; // the facts travel anyway; the original only adds the exact type and fields
        }
        return bytes.toByteArray();
    }

    private static ErrorInfo.Builder describe(Throwable t, Set<Throwable> seen, int depth) {
        seen.add(t);
        ErrorInfo.Builder b = ErrorInfo.newBuilder().setClassName(upstream(t.getClass().getName()));
        if (t.getMessage() != null) {
            b.setMessage(upstream(t.getMessage())).setHasMessage(true);
        }
        for (StackTraceElement e : t.getStackTrace()) {
            Frame.Builder f = Frame.newBuilder()
                    .setDeclaringClass(upstream(e.getClassName()))
                    .setMethodName(e.getMethodName())
                    .setLineNumber(e.getLineNumber());
            if (e.getFileName() != null) {
                f.setFileName(e.getFileName());
            }
            if (e.getClassLoaderName() != null) {
                f.setClassLoaderName(e.getClassLoaderName());
            }
            if (e.getModuleName() != null) {
                f.setModuleName(e.getModuleName());
            }
            if (e.getModuleVersion() != null) {
                f.setModuleVersion(e.getModuleVersion());
            }
            b.addFrames(f);
        }
        if (depth < MAX_DEPTH) {
            Throwable cause = t.getCause();
            if (cause != null && !seen.contains(cause)) {
                b.setCause(describe(cause, seen, depth + 1));
            }
            for (Throwable s : t.getSuppressed()) {
                if (!seen.contains(s)) {
                    b.addSuppressed(describe(s, seen, depth + 1));
                }
            }
        }
        return b;
    }

    private static String upstream(String text) {
        return text.contains(RELOCATED) ? text.replace(RELOCATED, "") : text;
    }

    /**
     * Rebuilds an exception sent by {@link #encode}.
     *
     * @param info the description
     * @param loader where the exception classes may be found
     * @return the original where its class loads here (fields and all), else the type rebuilt from
     *     its name, else a {@link RemoteException}; always with the remote message, stack frames,
     *     cause chain and suppressed exceptions
     */
    public static Throwable decode(ErrorInfo info, ClassLoader loader) {
        if (!info.getSerialized().isEmpty()) {
            Throwable original = deserialize(info.getSerialized().toByteArray(), loader);
            if (original != null && original.getClass().getName().equals(info.getClassName())) {
                return original;
            }
        }
        return rebuild(info, loader, 0);
    }

    private static Throwable deserialize(byte[] bytes, ClassLoader loader) {
        try (ObjectInputStream in = new LoaderObjectInputStream(new ByteArrayInputStream(bytes), loader)) {
            return in.readObject() instanceof Throwable t ? t : null;
        } catch (IOException | ClassNotFoundException | RuntimeException | LinkageError e) {
            return null; // a class missing here, or changed: rebuild from the facts
        }
    }

    private static Throwable rebuild(ErrorInfo info, ClassLoader loader, int depth) {
        Throwable cause = depth < MAX_DEPTH && info.hasCause() ? rebuild(info.getCause(), loader, depth + 1) : null;
        Throwable t = instantiate(info, cause, loader);
        t.setStackTrace(frames(info));
        if (cause != null && t.getCause() == null) {
            try {
                t.initCause(cause);
            } catch (IllegalStateException alreadySet) {
                t.addSuppressed(cause);
            }
        }
        if (depth < MAX_DEPTH) {
            for (ErrorInfo s : info.getSuppressedList()) {
                t.addSuppressed(rebuild(s, loader, depth + 1));
            }
        }
        return t;
    }

    /** Resolves the classes of a serialized exception through the task's loader (a JShell snippet's, say). */
    private static final class LoaderObjectInputStream extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc);
            }
        }
    }

    private static Throwable instantiate(ErrorInfo info, Throwable cause, ClassLoader loader) {
        String message = info.getHasMessage() ? info.getMessage() : null;
        try {
            Class<?> type = Class.forName(info.getClassName(), false, loader);
            if (Throwable.class.isAssignableFrom(type)) {
                Throwable t = construct(type.asSubclass(Throwable.class), message, cause);
                if (t != null) {
                    return t;
                }
            }
        } catch (ClassNotFoundException | LinkageError ignored) {
            // Not available on this side.
        }
        return new RemoteException(info.getClassName(), message);
    }

    /**
     * Tries the usual constructor shapes: (String, cause type) when there is a cause; (cause type)
     * when the message is the cause's own or absent (ExceptionInInitializerError has only that way
     * to take one); (String); and () when there is no message.
     */
    private static Throwable construct(Class<? extends Throwable> type, String message, Throwable cause) {
        Constructor<?>[] constructors = type.getConstructors();
        if (cause != null) {
            for (Constructor<?> c : constructors) {
                Class<?>[] p = c.getParameterTypes();
                if (p.length == 2 && p[0] == String.class && p[1].isInstance(cause)) {
                    Throwable t = newInstance(c, message, cause);
                    if (t != null) {
                        return t;
                    }
                }
            }
            if (message == null || message.equals(cause.toString())) {
                for (Constructor<?> c : constructors) {
                    Class<?>[] p = c.getParameterTypes();
                    if (p.length == 1 && p[0] != String.class && p[0].isInstance(cause)) {
                        Throwable t = newInstance(c, cause);
                        if (t != null) {
                            return t;
                        }
                    }
                }
            }
        }
        for (Constructor<?> c : constructors) {
            Class<?>[] p = c.getParameterTypes();
            if (p.length == 1 && p[0] == String.class) {
                Throwable t = newInstance(c, message);
                if (t != null) {
                    return t;
                }
            }
        }
        if (message == null) {
            try {
                return type.getConstructor().newInstance();
            } catch (ReflectiveOperationException | RuntimeException ignored) {
                // give up
            }
        }
        return null;
    }

    private static Throwable newInstance(Constructor<?> c, Object... args) {
        try {
            return (Throwable) c.newInstance(args);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null; // try the next shape
        }
    }

    private static StackTraceElement[] frames(ErrorInfo info) {
        StackTraceElement[] out = new StackTraceElement[info.getFramesCount()];
        for (int i = 0; i < out.length; i++) {
            Frame f = info.getFrames(i);
            out[i] = new StackTraceElement(
                    f.getClassLoaderName().isEmpty() ? null : f.getClassLoaderName(),
                    f.getModuleName().isEmpty() ? null : f.getModuleName(),
                    f.getModuleVersion().isEmpty() ? null : f.getModuleVersion(),
                    f.getDeclaringClass(), f.getMethodName(),
                    f.getFileName().isEmpty() ? null : f.getFileName(), f.getLineNumber());
        }
        return out;
    }
}
