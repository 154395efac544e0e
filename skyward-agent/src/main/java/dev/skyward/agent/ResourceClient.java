package dev.skyward.agent;

import dev.skyward.wire.proto.AgentFrame;
import dev.skyward.wire.proto.JarRef;
import dev.skyward.wire.proto.ResourceReply;
import dev.skyward.wire.proto.ResourceRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Asks the client for classes and jars it has and this node lacks. Blocking by design: it runs on
 * task threads inside class loading, never on gRPC's threads.
 */
final class ResourceClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final Link link;
    private final Path jarCache;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<ResourceReply>> pending = new ConcurrentHashMap<>();
    private final Map<Long, JarDownload> downloads = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Path>> jars = new ConcurrentHashMap<>();

    ResourceClient(Link link, Path jarCache) {
        this.link = link;
        this.jarCache = jarCache;
    }

    /** The client's answer for a resource name such as {@code com/x/Foo.class}. */
    ResourceReply fetch(String name) {
        long id = ids.incrementAndGet();
        CompletableFuture<ResourceReply> f = new CompletableFuture<>();
        pending.put(id, f);
        try {
            link.send(AgentFrame.newBuilder()
                    .setResource(ResourceRequest.newBuilder().setRequestId(id).setName(name)).build());
            return await(f, "resource " + name);
        } finally {
            pending.remove(id);
        }
    }

    /** The local copy of a jar, downloading it once if this node does not have it yet. */
    Path jar(JarRef ref) {
        return await(jars.computeIfAbsent(ref.getSha256(), sha -> CompletableFuture.supplyAsync(() -> download(ref),
                Runnable::run)), "jar " + ref.getName());
    }

    private Path download(JarRef ref) {
        Path target = jarCache.resolve(ref.getSha256() + ".jar");
        if (Files.isRegularFile(target)) {
            return target;
        }
        long id = ids.incrementAndGet();
        try {
            Files.createDirectories(jarCache);
            // Unique per agent and download without Files.createTempFile, whose random name seeds a
            // SecureRandom (~25 ms of the first task on a small machine, PROFILING.md).
            Path tmp = Files.createFile(jarCache.resolve(ref.getSha256() + "." + ProcessHandle.current().pid()
                    + "." + id + ".part"));
            JarDownload d = new JarDownload(tmp);
            downloads.put(id, d);
            try {
                link.send(AgentFrame.newBuilder().setResource(
                        ResourceRequest.newBuilder().setRequestId(id).setJarSha256(ref.getSha256())).build());
                await(d.done, "jar " + ref.getName());
                String actual = d.sha256();
                if (!actual.equals(ref.getSha256())) {
                    throw new IOException("jar " + ref.getName() + " arrived corrupted: sha256 " + actual
                            + " instead of " + ref.getSha256());
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return target;
            } finally {
                downloads.remove(id);
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store jar " + ref.getName() + " in " + jarCache + ": " + e.getMessage(), e);
        }
    }

    void onReply(ResourceReply reply) {
        JarDownload d = downloads.get(reply.getRequestId());
        if (d != null) {
            d.accept(reply);
            return;
        }
        CompletableFuture<ResourceReply> f = pending.get(reply.getRequestId());
        if (f != null) {
            f.complete(reply);
        }
    }

    private static <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching " + what + " from the client", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the client did not send " + what + " within " + TIMEOUT.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("fetching " + what + " failed: " + c, c);
        }
    }

    /** One jar arriving in pieces. */
    private static final class JarDownload {
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private final MessageDigest digest;
        private final OutputStream out;

        JarDownload(Path file) throws IOException {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            out = Files.newOutputStream(file);
        }

        synchronized void accept(ResourceReply reply) {
            try {
                if (reply.hasError()) {
                    out.close();
                    done.completeExceptionally(new IllegalStateException(reply.getError()));
                    return;
                }
                byte[] data = reply.getJarData().getData().toByteArray();
                digest.update(data);
                out.write(data);
                if (reply.getJarData().getLast()) {
                    out.close();
                    done.complete(null);
                }
            } catch (IOException e) {
                done.completeExceptionally(new UncheckedIOException("cannot write jar: " + e.getMessage(), e));
            }
        }

        String sha256() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }
}
