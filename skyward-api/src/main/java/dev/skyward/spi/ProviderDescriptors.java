package dev.skyward.spi;

import dev.skyward.PoolConfigurationException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The provider modules on the classpath, found through {@link ServiceLoader}: what
 * {@code .provider("name")}, {@code skyward check} and {@code skyward offers} consult.
 *
 * <pre>{@code
 * for (ProviderDescriptor d : ProviderDescriptors.all()) {
 *     System.out.println(d.name() + ": " + d.check());
 * }
 * Provider p = ProviderDescriptors.find("digitalocean").create();
 * }</pre>
 */
public final class ProviderDescriptors {

    private ProviderDescriptors() {
    }

    /**
     * Every descriptor on the classpath, by name (the first one found wins when two modules claim a
     * name), looked up with this library's class loader and the thread's context class loader.
     *
     * @return descriptors sorted by name, so listings do not depend on the classpath's order
     */
    public static List<ProviderDescriptor> all() {
        Map<String, ProviderDescriptor> byName = new LinkedHashMap<>();
        List<ClassLoader> loaders = new ArrayList<>();
        loaders.add(ProviderDescriptors.class.getClassLoader());
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null && context != loaders.get(0)) {
            loaders.add(context);
        }
        for (ClassLoader loader : loaders) {
            try {
                for (ProviderDescriptor d : ServiceLoader.load(ProviderDescriptor.class, loader)) {
                    byName.putIfAbsent(d.name(), d);
                }
            } catch (ServiceConfigurationError e) {
                throw new PoolConfigurationException("a provider module on the classpath is broken: " + e.getMessage()
                        + "; check its META-INF/services/" + ProviderDescriptor.class.getName(), e);
            }
        }
        return byName.values().stream().sorted(Comparator.comparing(ProviderDescriptor::name)).toList();
    }

    /** The names of the providers on the classpath. */
    public static List<String> names() {
        return all().stream().map(ProviderDescriptor::name).toList();
    }

    /**
     * The descriptor of a provider.
     *
     * @param name provider name, case-insensitive
     * @return its descriptor
     * @throws PoolConfigurationException no module of that name is on the classpath, with the names
     *     that are and the dependency to add
     */
    public static ProviderDescriptor find(String name) {
        String want = name.toLowerCase(Locale.ROOT);
        List<ProviderDescriptor> all = all();
        for (ProviderDescriptor d : all) {
            if (d.name().equals(want)) {
                return d;
            }
        }
        throw new PoolConfigurationException("no provider named '" + name + "' on the classpath (found: "
                + all.stream().map(ProviderDescriptor::name).toList() + "); add its module, e.g. the dependency "
                + "dev.skyward:skyward-" + want + ", or pass a provider object to provider(...)");
    }
}
