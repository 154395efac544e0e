package dev.skyward.classload;

import com.google.protobuf.ByteString;
import dev.skyward.wire.Protocol;
import dev.skyward.wire.proto.ClassBytes;
import dev.skyward.wire.proto.JarData;
import dev.skyward.wire.proto.JarRef;
import dev.skyward.wire.proto.ResourceReply;
import dev.skyward.wire.proto.ResourceRequest;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the nodes' requests for code. A class that lives in a jar on this machine is answered with
 * the jar's content hash (the node fetches the whole jar once, if it lacks it); a class that lives in
 * no jar (a JShell snippet, a build output directory, a generated class) is answered with its bytes,
 * read through the class loader that defined the task, or from the definitions that loader keeps when
 * it serves no resources for them (see {@link Bytecode}).
 *
 * <p>Jars larger than {@link #MAX_WHOLE_JAR} are served class by class instead.
 *
 * <p>Class loaders are looked at in this order: the loaders of submitted tasks, newest first (in a
 * JShell session that is the snippet loader), then this thread's context loader and the system loader.
 */
public final class CodeServer {

    private static final Logger LOG = LoggerFactory.getLogger(CodeServer.class);

    /**
     * Jars up to this size ship whole; from bigger ones (an application's fat jar, which also holds
     * the engine and its libraries) nodes get only the classes they ask for.
     */
    static final long MAX_WHOLE_JAR = 16L << 20;

    private final List<WeakReference<ClassLoader>> loaders = new CopyOnWriteArrayList<>();
    private final JarIndex jars = new JarIndex();
    private final SnippetStatics statics = new SnippetStatics();
    private volatile ClassLoader lastRegistered;
    private final java.util.concurrent.atomic.AtomicInteger snippetRequests = new java.util.concurrent.atomic.AtomicInteger();

    /** Remembers the loader of a task's class, so its classes can be found when a node asks. */
    public void register(ClassLoader loader) {
        if (loader == null || loader == lastRegistered) {
            return;
        }
        synchronized (loaders) {
            loaders.removeIf(r -> r.get() == null || r.get() == loader);
            loaders.add(0, new WeakReference<>(loader));
            lastRegistered = loader;
        }
    }

    /**
     * How many snippet classes the nodes asked for. Those a task's code reaches travel with the task
     * (see {@link SnippetStatics#shipment}), so a node asks only for one the client could not foresee.
     */
    public int snippetClassesRequested() {
        return snippetRequests.get();
    }

    /** The tracker of JShell variables shipped with snippet classes. */
    public SnippetStatics statics() {
        return statics;
    }

    /**
     * Answers one request. Runs on a thread that may do I/O; replies go to {@code reply} in order.
     *
     * @param request the node's request
     * @param reply where to send the answer (one reply, or several for a jar's bytes)
     */
    public void handle(ResourceRequest request, Consumer<ResourceReply> reply) {
        ResourceReply.Builder r = ResourceReply.newBuilder().setRequestId(request.getRequestId());
        try {
            if (!request.getJarSha256().isEmpty()) {
                sendJar(request, reply);
                return;
            }
            reply.accept(find(request.getName(), r));
        } catch (RuntimeException | IOException e) {
            LOG.debug("cannot serve {} to a node", request.getName(), e);
            reply.accept(r.setError(e.getMessage() == null ? e.toString() : e.getMessage()).build());
        }
    }

    private ResourceReply find(String name, ResourceReply.Builder r) throws IOException {
        List<ClassLoader> candidates = candidates();
        if (name.endsWith(".class") && SnippetStatics.isSnippet(name.replace('/', '.'))) {
            return snippet(name, candidates, r);
        }
        for (ClassLoader loader : candidates) {
            URL url = loader.getResource(name);
            if (url != null) {
                if ("jar".equals(url.getProtocol())) {
                    Path jar = jarOf(url);
                    if (jar != null && Files.size(jar) <= MAX_WHOLE_JAR) {
                        return r.setJar(JarRef.newBuilder().setSha256(jars.sha256(jar)).setSize(Files.size(jar))
                                .setName(jar.getFileName().toString())).build();
                    }
                }
                try (InputStream in = url.openStream()) {
                    return r.setClassBytes(classBytes(name, in.readAllBytes())).build();
                }
            }
        }
        if (!name.endsWith(".class")) {
            for (ClassLoader loader : candidates) {
                try (InputStream in = loader.getResourceAsStream(name)) {
                    if (in != null) {
                        return r.setClassBytes(ClassBytes.newBuilder().setBytes(ByteString.readFrom(in))).build();
                    }
                }
            }
            return r.setNotFound(true).build();
        }
        // A class in no jar and behind no URL: a REPL's snippet (see Bytecode for the ways tried).
        String className = name.substring(0, name.length() - 6).replace('/', '.');
        for (ClassLoader loader : candidates) {
            byte[] bytes = Bytecode.find(className, loader);
            if (bytes != null) {
                return r.setClassBytes(classBytes(name, bytes)).build();
            }
        }
        for (ClassLoader loader : candidates) {
            Class<?> c = loaded(className, loader);
            if (c != null) {
                return r.setError(Bytecode.unavailable(className, c.getClassLoader())).build();
            }
        }
        return r.setNotFound(true).build();
    }

    /**
     * A snippet class, from the loader that defined it: every JShell session names its classes
     * {@code REPL.$JShell$1, $2, ...}, so another session's loader in this JVM (or a thread's context
     * loader left over from it) may answer for the same name with other code.
     */
    private ResourceReply snippet(String name, List<ClassLoader> candidates, ResourceReply.Builder r) {
        snippetRequests.incrementAndGet();
        String className = name.substring(0, name.length() - 6).replace('/', '.');
        for (ClassLoader loader : candidates) {
            Class<?> c = loaded(className, loader);
            if (c != null) {
                byte[] bytes = c.getClassLoader() == null ? null : Bytecode.find(className, c.getClassLoader());
                if (bytes == null) {
                    return r.setError(Bytecode.unavailable(className, c.getClassLoader())).build();
                }
                return r.setClassBytes(classBytes(name, bytes)).build();
            }
        }
        return r.setNotFound(true).build();
    }

    private ClassBytes.Builder classBytes(String name, byte[] bytes) {
        String className = name.substring(0, Math.max(0, name.length() - 6)).replace('/', '.');
        if (name.endsWith(".class") && SnippetStatics.isSnippet(className)) {
            statics.served(className, bytes);
        }
        return ClassBytes.newBuilder().setBytes(ByteString.copyFrom(bytes));
    }

    private static Class<?> loaded(String className, ClassLoader loader) {
        try {
            return Class.forName(className, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    private void sendJar(ResourceRequest request, Consumer<ResourceReply> reply) throws IOException {
        Path jar = jars.path(request.getJarSha256());
        if (jar == null) {
            throw new IOException("no jar with sha256 " + request.getJarSha256() + " was offered to this node");
        }
        byte[] buf = new byte[Protocol.CHUNK_SIZE];
        long size = Files.size(jar);
        long sent = 0;
        try (InputStream in = Files.newInputStream(jar)) {
            while (true) {
                int n = in.readNBytes(buf, 0, buf.length);
                sent += n;
                boolean last = n < buf.length || sent >= size;
                reply.accept(ResourceReply.newBuilder().setRequestId(request.getRequestId())
                        .setJarData(JarData.newBuilder().setData(ByteString.copyFrom(buf, 0, n)).setLast(last))
                        .build());
                if (last) {
                    return;
                }
            }
        }
    }

    private List<ClassLoader> candidates() {
        List<ClassLoader> out = new ArrayList<>();
        for (WeakReference<ClassLoader> r : loaders) {
            ClassLoader l = r.get();
            if (l != null) {
                out.add(l);
            }
        }
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null && !out.contains(context)) {
            out.add(context);
        }
        ClassLoader system = ClassLoader.getSystemClassLoader();
        if (!out.contains(system)) {
            out.add(system);
        }
        return out;
    }

    private static Path jarOf(URL url) throws IOException {
        try {
            URL jarUrl = ((JarURLConnection) url.openConnection()).getJarFileURL();
            return "file".equals(jarUrl.getProtocol()) ? Path.of(jarUrl.toURI()) : null;
        } catch (URISyntaxException | ClassCastException e) {
            return null;
        }
    }

}
