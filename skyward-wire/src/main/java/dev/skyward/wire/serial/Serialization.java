package dev.skyward.wire.serial;

import dev.skyward.MapTask;
import dev.skyward.Task;
import dev.skyward.wire.thread.DaemonThreads;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.fory.Fory;
import org.apache.fory.ThreadSafeFory;
import org.apache.fory.serializer.LambdaSerializer;
import org.apache.fory.util.function.Functions;
import org.apache.fory.config.Language;

/**
 * Fory instances, one per class loader (a Fory resolves classes through the loader it was built
 * with, so each pool session and each client-side task loader gets its own).
 *
 * <p>Settings, measured in DESIGN.md: Java mode (xlang off) and no registration, or no lambda
 * travels; reference tracking, so shared and cyclic graphs survive; async compilation so a new type
 * does not stall the first task for the ~200 ms Fory's code generation takes.
 */
public final class Serialization {

    private static final Map<ClassLoader, ThreadSafeFory> BY_LOADER = new WeakHashMap<>();
    /** The last loader asked for: every task of a pool usually has the same one, so no lock on the hot path. */
    private static volatile Last last;

    private Serialization() {
    }

    /**
     * The shared Fory for a loader.
     *
     * @param loader resolves the classes met while deserializing
     * @return a thread-safe Fory bound to that loader
     */
    public static ThreadSafeFory forLoader(ClassLoader loader) {
        Last l = last;
        if (l != null && l.loader == loader) {
            return l.fory;
        }
        ThreadSafeFory fory;
        synchronized (BY_LOADER) {
            fory = BY_LOADER.computeIfAbsent(loader, Serialization::build);
        }
        last = new Last(loader, fory);
        return fory;
    }

    /**
     * Builds the loader's Fory and runs what first tasks are made of through it, off the caller's
     * thread, so the first real task does not pay Fory's start-up (~150 ms) while agents are still
     * starting anyway: a task lambda, a {@code map} run (Fory builds a class's type definition the
     * first time it meets the class, ~110 ms for {@link MapCall} in a young agent, measured in
     * PROFILING.md) and a run's results.
     *
     * @param loader the loader tasks will most likely come from
     */
    public static void warmUpInBackground(ClassLoader loader) {
        DaemonThreads.start(() -> {
            try {
                ThreadSafeFory fory = forLoader(loader);
                Task<Object> task = ctx -> null;
                MapTask<Object, Object> fn = (ctx, x) -> x;
                Object[] sample = {task, new MapCall<>(fn, List.of(1, "x")), new Object[] {1, "x", null}};
                fory.deserialize(fory.serialize(sample));
            } catch (RuntimeException e) {
                // Only a head start; the first task will build it anyway.
            }
        }, "skyward-fory-warmup");
    }

    private record Last(ClassLoader loader, ThreadSafeFory fory) {
    }

    private static ThreadSafeFory build(ClassLoader loader) {
        ThreadSafeFory fory = Fory.builder()
                .withLanguage(Language.JAVA)
                .withXlang(false)
                .requireClassRegistration(false)
                .suppressClassRegistrationWarnings(true)
                .withRefTracking(true)
                .withAsyncCompilation(true)
                // Peers are authenticated with the pool token; the limits guard against untrusted
                // input and would refuse a legitimate 256 MiB array.
                .withMaxGraphMemoryBytes(Long.MAX_VALUE)
                .withClassLoader(loader)
                // Lambdas (tasks) are written by site, resolved once per Fory (see LambdaSites).
                .withSerializerFactory((resolver, type) -> Functions.isLambda(type) ? new LambdaSites(resolver, type) : null)
                .buildThreadSafeFory();
        // Large byte[]s travel beside Fory's bytes when a Payload is encoded (no copy either way).
        fory.registerSerializer(byte[].class, ArraysBeside::new);
        // Every lambda is read through Fory's stand-in lambda class: its serializer must be the same.
        fory.registerSerializer(LambdaSerializer.STUB_LAMBDA_CLASS,
                resolver -> new LambdaSites(resolver, LambdaSerializer.STUB_LAMBDA_CLASS));
        // map's per-element task: written by hand, so no code generation (and its lock) stalls a first map.
        fory.registerSerializer(MapCall.class, MapCallSerializer::new);
        return fory;
    }
}
