package dev.skyward.agent;

import dev.skyward.wire.proto.ResourceReply;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the client's classes on this node, on demand: first from jars already shipped here, then by
 * asking the client. The client answers with a jar (shipped whole, once, by content hash) for classes
 * that live in one, or with the class's bytes for classes that live in no jar (JShell snippets,
 * build output directories, generated classes).
 *
 * <p>One loader per agent, and an agent serves one pool session: JShell restarts its snippet numbering
 * in every session, so two sessions must never share a loader.
 *
 * <p>Parent-first: the JDK, the Skyward API and the agent's own libraries come from the agent.
 * JShell snippet classes load one level down, in a {@link SnippetClassLoader} per snippet generation.
 */
final class SessionClassLoader extends ClassLoader {

    static {
        registerAsParallelCapable();
    }

    /**
     * Made on first use, not with the class: the agent's start runs while SLF4J initialises on another
     * thread (see {@link AgentMain}), and a logger made here first would do that work on this one.
     */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(SessionClassLoader.class);
    }

    private final ResourceClient client;
    private final Path resourceDir;
    private final List<JarFile> jars = new CopyOnWriteArrayList<>();
    private final Map<String, ProtectionDomain> domains = new ConcurrentHashMap<>();

    SessionClassLoader(ClassLoader parent, ResourceClient client, Path resourceDir) {
        super("skyward-session", parent);
        this.client = client;
        this.resourceDir = resourceDir;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (SnippetClassLoader.isSnippet(name)) {
            // Snippet classes live in the generation's own loader, never here, where they could not be replaced.
            throw new ClassNotFoundException(name + " is a JShell snippet class; it loads in a snippet generation");
        }
        String resource = name.replace('.', '/') + ".class";
        Class<?> fromJar = defineFromJars(name, resource);
        if (fromJar != null) {
            return fromJar;
        }
        ResourceReply reply;
        try {
            reply = client.fetch(resource);
        } catch (RuntimeException e) {
            throw new ClassNotFoundException(name + ": " + e.getMessage(), e);
        }
        switch (reply.getKindCase()) {
            case CLASS_BYTES -> {
                byte[] b = reply.getClassBytes().getBytes().toByteArray();
                return defineClass(name, b, 0, b.length);
            }
            case JAR -> {
                addJar(client.jar(reply.getJar()));
                Class<?> c = defineFromJars(name, resource);
                if (c == null) {
                    throw new ClassNotFoundException(name + " is not in " + reply.getJar().getName()
                            + " although the client said so");
                }
                return c;
            }
            case ERROR -> throw new ClassNotFoundException(reply.getError());
            default -> throw new ClassNotFoundException(name + " is found neither on this node nor on the client");
        }
    }

    @Override
    protected URL findResource(String name) {
        for (JarFile jar : jars) {
            if (jar.getJarEntry(name) != null) {
                return jarUrl(jar, name);
            }
        }
        ResourceReply reply;
        try {
            reply = client.fetch(name);
        } catch (RuntimeException e) {
            Log.LOG.debug("resource {} unavailable: {}", name, e.getMessage());
            return null;
        }
        try {
            switch (reply.getKindCase()) {
                case JAR -> {
                    JarFile jar = addJar(client.jar(reply.getJar()));
                    return jar.getJarEntry(name) != null ? jarUrl(jar, name) : null;
                }
                case CLASS_BYTES -> {
                    Path file = resourceDir.resolve(name).normalize();
                    if (!file.startsWith(resourceDir)) {
                        return null;
                    }
                    Files.createDirectories(file.getParent());
                    Files.write(file, reply.getClassBytes().getBytes().toByteArray());
                    return file.toUri().toURL();
                }
                default -> {
                    return null;
                }
            }
        } catch (IOException e) {
            Log.LOG.warn("cannot store resource {}: {}", name, e.toString());
            return null;
        }
    }

    /** Defines a class from a shipped jar, with the jar as its code source (code that locates itself works). */
    private Class<?> defineFromJars(String name, String resource) {
        for (JarFile jar : jars) {
            JarEntry entry = jar.getJarEntry(resource);
            if (entry != null) {
                byte[] b;
                try (InputStream in = jar.getInputStream(entry)) {
                    b = in.readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + resource + " from " + jar.getName(), e);
                }
                ProtectionDomain domain = domains.computeIfAbsent(jar.getName(), j -> {
                    try {
                        return new ProtectionDomain(new CodeSource(Path.of(j).toUri().toURL(), (CodeSigner[]) null),
                                null, this, null);
                    } catch (MalformedURLException e) {
                        return null;
                    }
                });
                return defineClass(name, b, 0, b.length, domain);
            }
        }
        return null;
    }

    private synchronized JarFile addJar(Path path) {
        for (JarFile j : jars) {
            if (Path.of(j.getName()).equals(path)) {
                return j;
            }
        }
        try {
            JarFile jar = new JarFile(path.toFile());
            jars.add(jar);
            Log.LOG.debug("added shipped jar {}", path.getFileName());
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open shipped jar " + path, e);
        }
    }

    private static URL jarUrl(JarFile jar, String name) {
        try {
            return new URL("jar:" + Path.of(jar.getName()).toUri() + "!/" + name);
        } catch (MalformedURLException e) {
            return null;
        }
    }
}
