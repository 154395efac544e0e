package dev.skyward.wire.serial;

import com.google.protobuf.UnsafeByteOperations;
import dev.skyward.RemoteException;
import dev.skyward.wire.proto.ErrorInfo;
import dev.skyward.wire.proto.Frame;
import java.lang.reflect.Constructor;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.apache.fory.ThreadSafeFory;

/**
 * Moves exceptions between JVMs without losing what a developer needs to debug them.
 *
 * <p>Fory alone drops the stack trace of a Throwable without a {@code (String)} constructor, so the
 * facts travel as a Protobuf {@link ErrorInfo} (type, message, frames, cause, suppressed) and the
 * serialized original rides along; the receiver rebuilds the original where its class exists and
 * puts the remote facts back onto it, else builds a {@link RemoteException} with the same facts.
 */
public final class ErrorCodec {

    /** Larger serialized originals are left out; the Protobuf facts suffice. */
    private static final int MAX_SERIALIZED = 1 << 20;
    private static final int MAX_DEPTH = 32;

    private ErrorCodec() {
    }

    /**
     * @param error the exception on this side
     * @param fory serializes the original, may be {@code null} to send facts only
     * @return its description
     */
    public static ErrorInfo encode(Throwable error, ThreadSafeFory fory) {
        ErrorInfo.Builder info = describe(error, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
        if (fory != null) {
            try {
                byte[] bytes = fory.serialize(error);
                if (bytes.length <= MAX_SERIALIZED) {
                    info.setSerialized(UnsafeByteOperations.unsafeWrap(bytes));
                }
            } catch (Throwable ignored) {
                // The facts travel anyway; the original is an optimisation for rebuilding the exact type.
            }
        }
        return info.build();
    }

    private static ErrorInfo.Builder describe(Throwable t, Set<Throwable> seen, int depth) {
        seen.add(t);
        ErrorInfo.Builder b = ErrorInfo.newBuilder().setClassName(t.getClass().getName());
        if (t.getMessage() != null) {
            b.setMessage(t.getMessage()).setHasMessage(true);
        }
        for (StackTraceElement e : t.getStackTrace()) {
            Frame.Builder f = Frame.newBuilder()
                    .setDeclaringClass(e.getClassName())
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

    /**
     * Rebuilds an exception sent by {@link #encode}.
     *
     * @param info the description
     * @param fory deserializes the original, may be {@code null}
     * @param loader where the exception classes may be found
     * @return the original type where possible, else a {@link RemoteException}; either way with the
     *     remote message, stack frames, cause chain and suppressed exceptions
     */
    public static Throwable decode(ErrorInfo info, ThreadSafeFory fory, ClassLoader loader) {
        Throwable original = null;
        if (fory != null && !info.getSerialized().isEmpty()) {
            try {
                Object o = fory.deserialize(info.getSerialized().toByteArray());
                if (o instanceof Throwable t && t.getClass().getName().equals(info.getClassName())) {
                    original = t;
                }
            } catch (Throwable ignored) {
                // Fall back to rebuilding from the facts.
            }
        }
        return rebuild(info, original, loader, 0);
    }

    private static Throwable rebuild(ErrorInfo info, Throwable original, ClassLoader loader, int depth) {
        Throwable cause = null;
        if (depth < MAX_DEPTH && info.hasCause()) {
            Throwable existing = original == null ? null : original.getCause();
            cause = rebuild(info.getCause(),
                    existing != null && existing.getClass().getName().equals(info.getCause().getClassName())
                            ? existing : null,
                    loader, depth + 1);
        }
        StackTraceElement[] frames = frames(info);
        Throwable t = original;
        if (t != null && !restoreStack(t, frames)) {
            t = null; // an instance whose stack cannot be written: rebuild one that can hold it
        }
        if (t == null) {
            t = instantiate(info, cause, loader);
            t.setStackTrace(frames);
        }
        if (cause != null && t.getCause() == null) {
            try {
                t.initCause(cause);
            } catch (IllegalStateException alreadySet) {
                t.addSuppressed(cause);
            }
        }
        if (depth < MAX_DEPTH && t.getSuppressed().length == 0) {
            for (ErrorInfo s : info.getSuppressedList()) {
                t.addSuppressed(rebuild(s, null, loader, depth + 1));
            }
        }
        return t;
    }

    /**
     * Puts the remote frames on a deserialized exception. A Throwable made without running a
     * constructor has an unwritable stack; then the field is set directly where the JVM allows it.
     */
    private static boolean restoreStack(Throwable t, StackTraceElement[] frames) {
        t.setStackTrace(frames);
        if (t.getStackTrace().length == frames.length) {
            return true;
        }
        try {
            java.lang.reflect.Field f = Throwable.class.getDeclaredField("stackTrace");
            f.setAccessible(true);
            f.set(t, frames.clone());
            return t.getStackTrace().length == frames.length;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
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

    /** Tries the usual constructor shapes: (String), (String, cause type), and () when there is no message. */
    private static Throwable construct(Class<? extends Throwable> type, String message, Throwable cause) {
        for (Constructor<?> c : type.getConstructors()) {
            Class<?>[] p = c.getParameterTypes();
            try {
                if (p.length == 1 && p[0] == String.class) {
                    return (Throwable) c.newInstance(message);
                }
                if (p.length == 2 && p[0] == String.class && cause != null && p[1].isInstance(cause)) {
                    return (Throwable) c.newInstance(message, cause);
                }
            } catch (ReflectiveOperationException | RuntimeException ignored) {
                // try the next shape
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
