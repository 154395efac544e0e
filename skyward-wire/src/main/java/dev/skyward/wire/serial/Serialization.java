package dev.skyward.wire.serial;

import java.util.Map;
import java.util.WeakHashMap;
import org.apache.fory.Fory;
import org.apache.fory.ThreadSafeFory;
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

    private Serialization() {
    }

    /**
     * The shared Fory for a loader.
     *
     * @param loader resolves the classes met while deserializing
     * @return a thread-safe Fory bound to that loader
     */
    public static synchronized ThreadSafeFory forLoader(ClassLoader loader) {
        return BY_LOADER.computeIfAbsent(loader, Serialization::build);
    }

    private static ThreadSafeFory build(ClassLoader loader) {
        return Fory.builder()
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
                .buildThreadSafeFory();
    }
}
