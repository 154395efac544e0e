package dev.skyward.wire.serial;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.fory.context.ReadContext;
import org.apache.fory.context.WriteContext;
import org.apache.fory.exception.DeserializationException;
import org.apache.fory.exception.SerializationException;
import org.apache.fory.resolver.TypeResolver;
import org.apache.fory.serializer.Serializer;

/**
 * Fory's serializer for serializable lambdas in every Fory of {@link Serialization}. A task is almost
 * always a lambda, and Fory's own lambda serializer resolves its call site on every read: it loads
 * the capturing class by name, then {@link SerializedLambda}'s {@code readResolve} looks up and opens
 * {@code $deserializeLambda$} by reflection, behind a privileged action and a caller-class walk. That
 * was a fifth of an agent's CPU per round trip. Here a site (the nine strings and the kind that name
 * a lambda's implementation) is resolved once per Fory and remembered by its key; each call then
 * costs the key, the captured values and one call of the capturing class's own
 * {@code $deserializeLambda$}, which checks the site exactly as Java serialization would.
 *
 * <p>Format: the site key as a string, a varint count of captured values, each value as a reference.
 */
final class LambdaSites extends Serializer<Object> {

    /** A lambda class's writeReplace and its site key, both fixed per class. */
    private static final ClassValue<Writer> WRITERS = new ClassValue<>() {
        @Override
        protected Writer computeValue(Class<?> type) {
            return Writer.of(type);
        }
    };

    private final TypeResolver resolver;
    /** Per Fory, which is per class loader: the same key may name another class in another loader. */
    private final Map<String, Site> sites = new ConcurrentHashMap<>();

    @SuppressWarnings({"unchecked", "rawtypes"})
    LambdaSites(TypeResolver resolver, Class<?> type) {
        super(resolver.getConfig(), (Class) type);
        this.resolver = resolver;
    }

    @Override
    public void write(WriteContext context, Object lambda) {
        Writer writer = WRITERS.get(lambda.getClass());
        SerializedLambda form = writer.replace(lambda);
        context.writeString(writer.key(form));
        int n = form.getCapturedArgCount();
        context.writeVarUInt32(n);
        for (int i = 0; i < n; i++) {
            context.writeRef(form.getCapturedArg(i));
        }
    }

    @Override
    public Object read(ReadContext context) {
        String key = context.readString();
        Site site = sites.get(key);
        if (site == null) {
            site = Site.resolve(key, resolver);
            sites.put(key, site);
        }
        int n = context.getBuffer().readVarUInt32();
        Object[] captured = new Object[n];
        for (int i = 0; i < n; i++) {
            captured[i] = context.readRef();
        }
        return site.create(captured);
    }

    @Override
    public Object copy(org.apache.fory.context.CopyContext context, Object lambda) {
        // A lambda's captured values are final; the same instance is as good as a copy.
        return lambda;
    }

    /** How one lambda class is written: its writeReplace, and the key of its site once known. */
    private static final class Writer {
        private final MethodHandle writeReplace;
        private volatile String key;

        private Writer(MethodHandle writeReplace) {
            this.writeReplace = writeReplace;
        }

        static Writer of(Class<?> type) {
            try {
                Method m = type.getDeclaredMethod("writeReplace");
                m.setAccessible(true);
                return new Writer(MethodHandles.lookup().unreflect(m));
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new SerializationException("cannot serialize lambda " + type.getName()
                        + ": it is not serializable (cast it to a Serializable functional interface, as Task is)", e);
            }
        }

        SerializedLambda replace(Object lambda) {
            try {
                return (SerializedLambda) writeReplace.invoke(lambda);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new SerializationException("cannot serialize lambda " + lambda.getClass().getName(), e);
            }
        }

        /** Every instance of a lambda class has the same site: the first one's names it. */
        String key(SerializedLambda form) {
            String k = key;
            if (k == null) {
                k = String.join("\n", form.getCapturingClass(), form.getFunctionalInterfaceClass(),
                        form.getFunctionalInterfaceMethodName(), form.getFunctionalInterfaceMethodSignature(),
                        Integer.toString(form.getImplMethodKind()), form.getImplClass(), form.getImplMethodName(),
                        form.getImplMethodSignature(), form.getInstantiatedMethodType());
                key = k;
            }
            return k;
        }
    }

    /** A resolved site: its names, its capturing class and that class's {@code $deserializeLambda$}. */
    private record Site(String[] names, int implKind, Class<?> capturing, MethodHandle deserialize) {

        static Site resolve(String key, TypeResolver resolver) {
            String[] p = key.split("\n", -1);
            if (p.length != 9) {
                throw new DeserializationException("malformed lambda site: " + p.length + " parts");
            }
            Class<?> capturing;
            try {
                // Through this Fory's loader only: on an agent that is the session's (or a snippet
                // generation's), which fetches the class from the client when it is not here yet.
                capturing = Class.forName(p[0].replace('/', '.'), false, resolver.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                throw new DeserializationException("cannot load " + p[0].replace('/', '.')
                        + ", the class that defines lambda " + p[6] + ": " + e.getMessage(), e);
            }
            try {
                Method m = capturing.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
                m.setAccessible(true);
                return new Site(p, Integer.parseInt(p[4]), capturing, MethodHandles.lookup().unreflect(m));
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new DeserializationException("class " + capturing.getName()
                        + " has no serializable lambdas here (no $deserializeLambda$): it differs from the one"
                        + " the lambda was written with", e);
            }
        }

        Object create(Object[] captured) {
            SerializedLambda form = new SerializedLambda(capturing, names[1], names[2], names[3], implKind,
                    names[5], names[6], names[7], names[8], captured);
            try {
                return deserialize.invoke(form);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new DeserializationException("cannot rebuild lambda " + names[6] + " of "
                        + capturing.getName(), e);
            }
        }
    }
}
