package dev.skyward.classload;

import dev.skyward.bootstrap.Artifact;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Content hashes of the client's jars (computed once per file version, by {@link Artifact}) and the
 * way back from hash to file, for nodes that ask for a jar by its hash.
 */
final class JarIndex {

    private final Map<String, Path> bySha = new ConcurrentHashMap<>();

    /** The jar's hash, computed if the file is new or changed. */
    String sha256(Path jar) {
        try {
            Artifact a = Artifact.of(jar);
            bySha.put(a.sha256(), jar);
            return a.sha256();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read jar " + jar + ": " + e.getMessage(), e);
        }
    }

    /** The file with that hash, or {@code null}. */
    Path path(String sha256) {
        return bySha.get(sha256);
    }
}
