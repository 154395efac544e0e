package dev.skyward.classload;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.execution.LoaderDelegate;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * JJava's way of running cells (dflib/jjava 1.0-a7, {@code JJavaLoaderDelegate}), rebuilt for the
 * tests: snippet bytes go into a private map of the delegate, an inner {@link URLClassLoader} defines
 * classes from that map, and nothing answers {@code getResource} for them. Libraries added to the
 * session's classpath load in that same loader, whose parent sees only the JDK.
 */
final class MapLoaderDelegate implements LoaderDelegate {

    /** A JShell execution engine that runs cells in this JVM through a {@link MapLoaderDelegate}. */
    static final class Provider implements ExecutionControlProvider {
        private final boolean rawBytes;
        MapLoaderDelegate delegate;

        /** @param rawBytes whether the map holds {@code byte[]} (JJava) or wraps them (a loader Skyward cannot read) */
        Provider(boolean rawBytes) {
            this.rawBytes = rawBytes;
        }

        @Override
        public String name() {
            return "map-loader";
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
            delegate = new MapLoaderDelegate(rawBytes);
            return new DirectExecutionControl(delegate);
        }
    }

    private final boolean rawBytes;
    private final Map<String, Object> declared = new HashMap<>();
    private final Map<String, Class<?>> loaded = new HashMap<>();
    final CellLoader loader = new CellLoader();

    MapLoaderDelegate(boolean rawBytes) {
        this.rawBytes = rawBytes;
    }

    private Object keep(byte[] b) {
        return rawBytes ? b : ByteBuffer.wrap(b);
    }

    @Override
    public void load(ExecutionControl.ClassBytecodes[] cbcs) throws ExecutionControl.ClassInstallException {
        boolean[] installed = new boolean[cbcs.length];
        for (int i = 0; i < cbcs.length; i++) {
            declared.put(cbcs[i].name(), keep(cbcs[i].bytecodes()));
        }
        for (int i = 0; i < cbcs.length; i++) {
            try {
                loaded.put(cbcs[i].name(), loader.loadClass(cbcs[i].name()));
            } catch (ClassNotFoundException e) {
                throw new ExecutionControl.ClassInstallException(e.toString(), installed);
            }
            installed[i] = true;
        }
    }

    @Override
    public void classesRedefined(ExecutionControl.ClassBytecodes[] cbcs) {
        for (ExecutionControl.ClassBytecodes c : cbcs) {
            declared.put(c.name(), keep(c.bytecodes()));
        }
    }

    @Override
    public void addToClasspath(String path) throws ExecutionControl.InternalException {
        for (String entry : path.split(File.pathSeparator)) {
            try {
                loader.add(Path.of(entry).toUri().toURL());
            } catch (MalformedURLException e) {
                throw new ExecutionControl.InternalException(e.toString());
            }
        }
    }

    @Override
    public Class<?> findClass(String name) throws ClassNotFoundException {
        Class<?> c = loaded.get(name);
        return c != null ? c : loader.loadClass(name);
    }

    Set<String> declaredNames() {
        return declared.keySet();
    }

    final class CellLoader extends URLClassLoader {
        CellLoader() {
            super(new URL[0], ClassLoader.getPlatformClassLoader());
        }

        void add(URL url) {
            addURL(url);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            Object kept = declared.get(name);
            if (kept == null) {
                return super.findClass(name);
            }
            byte[] b = kept instanceof ByteBuffer buf ? buf.array() : (byte[]) kept;
            return defineClass(name, b, 0, b.length, (CodeSource) null);
        }
    }
}
