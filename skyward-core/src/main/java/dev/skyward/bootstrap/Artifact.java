package dev.skyward.bootstrap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A local jar and its content hash, the name it has in a node's cache.
 *
 * @param path local file
 * @param sha256 hex SHA-256 of its content
 * @param size bytes
 */
public record Artifact(Path path, String sha256, long size) {

    /** Hashing a 20 MB jar costs ~50 ms; pools reuse the same jars, keyed by path, size and mtime. */
    private static final Map<String, Artifact> HASHED = new ConcurrentHashMap<>();

    /**
     * Hashes a file (memoised while it is unchanged).
     *
     * @param path the jar
     * @return the artifact
     * @throws IOException when it cannot be read
     */
    public static Artifact of(Path path) throws IOException {
        Path abs = path.toAbsolutePath().normalize();
        long size = Files.size(abs);
        String key = abs + "|" + size + "|" + Files.getLastModifiedTime(abs).toMillis();
        Artifact known = HASHED.get(key);
        if (known != null) {
            return known;
        }
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(abs)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        Artifact a = new Artifact(abs, HexFormat.of().formatHex(md.digest()), size);
        HASHED.put(key, a);
        return a;
    }

    /** File name in the node's cache. */
    public String cacheName() {
        return sha256 + ".jar";
    }
}
