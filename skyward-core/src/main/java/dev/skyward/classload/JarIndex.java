package dev.skyward.classload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Content hashes of the client's jars, computed once per file version, and the way back from hash to file. */
final class JarIndex {

    private final Map<Path, Entry> byPath = new ConcurrentHashMap<>();
    private final Map<String, Path> bySha = new ConcurrentHashMap<>();

    /** The jar's hash, computed if the file is new or changed. */
    String sha256(Path jar) {
        try {
            long size = Files.size(jar);
            FileTime modified = Files.getLastModifiedTime(jar);
            Entry e = byPath.get(jar);
            if (e == null || e.size != size || !e.modified.equals(modified)) {
                e = new Entry(size, modified, hash(jar));
                byPath.put(jar, e);
                bySha.put(e.sha256, jar);
            }
            return e.sha256;
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read jar " + jar + ": " + ex.getMessage(), ex);
        }
    }

    /** The file with that hash, or {@code null}. */
    Path path(String sha256) {
        return bySha.get(sha256);
    }

    private static String hash(Path jar) throws IOException {
        try (InputStream in = Files.newInputStream(jar)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Entry(long size, FileTime modified, String sha256) {
    }
}
