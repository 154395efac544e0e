package dev.skyward.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The agent jar this library carries as a resource, copied once to a file named by its content hash
 * so launchers can run it and upload it (and skip the upload where a node already has that hash).
 */
public final class AgentJar {

    private static final String RESOURCE = "/dev/skyward/agent/skyward-agent.jar";
    private static volatile AgentJar instance;

    private final Path path;
    private final String sha256;
    private final long size;

    private AgentJar(Path path, String sha256, long size) {
        this.path = path;
        this.sha256 = sha256;
        this.size = size;
    }

    /** The agent jar, extracted on first use (to {@code java.io.tmpdir/skyward-<user>/}). */
    public static AgentJar get() {
        AgentJar a = instance;
        if (a == null || !a.inUse()) {
            synchronized (AgentJar.class) {
                a = instance;
                if (a == null || !a.inUse()) {
                    a = extract();
                    instance = a;
                }
            }
        }
        return a;
    }

    /**
     * Marks the jar as used now, so that another build's prune (of jars unused for an hour) leaves it;
     * false when it is gone all the same (a tmp cleaner), and it must be extracted again.
     */
    private boolean inUse() {
        return markUsed(path);
    }

    /**
     * The mark is a file beside the jar, not the jar's own time: the agents' class-data archive records
     * the jar's time, and a JVM refuses the archive of a jar whose time changed.
     */
    private static boolean markUsed(Path jar) {
        if (!Files.isRegularFile(jar)) {
            return false;
        }
        Path mark = usedMark(jar);
        if (!touch(mark)) {
            try {
                Files.writeString(mark, "");
            } catch (IOException e) {
                // A read-only directory: the jar is there, which is what the caller needs.
            }
        }
        return true;
    }

    /** The file whose time says when the jar was last used. */
    static Path usedMark(Path jar) {
        return jar.resolveSibling(jar.getFileName() + ".used");
    }

    /** Sets a file's time to now; false when it does not exist (or cannot be changed). */
    private static boolean touch(Path file) {
        try {
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static AgentJar extract() {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "skyward-" + System.getProperty("user.name"));
        URL resource = AgentJar.class.getResource(RESOURCE);
        if (resource == null) {
            throw new IllegalStateException("the agent jar is missing from skyward-core (" + RESOURCE
                    + "); this build of skyward-core is broken: rebuild it with 'mvnw verify'");
        }
        try {
            Files.createDirectories(dir);
            // Hashing 20+ MB on every start costs more than the JVM does: remember the hash per build of
            // the resource (its location, size and time), and hash only what is new.
            URLConnection c = resource.openConnection();
            String stamp = resource + "|" + c.getContentLengthLong() + "|" + c.getLastModified();
            Path known = dir.resolve("agent-" + Integer.toHexString(stamp.hashCode()) + ".sha256");
            if (Files.isRegularFile(known)) {
                String[] parts = Files.readString(known).trim().split(" ");
                Path jar = dir.resolve(parts[0]);
                if (parts.length == 3 && parts[2].equals(stamp) && Files.isRegularFile(jar)
                        && Files.size(jar) == c.getContentLengthLong() && markUsed(jar)) {
                    touch(known);
                    return new AgentJar(jar, parts[1], Files.size(jar));
                }
            }
            Path tmp = Files.createTempFile(dir, "agent", ".part");
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            long size;
            try (InputStream in = c.getInputStream(); DigestInputStream din = new DigestInputStream(in, md)) {
                size = Files.copy(din, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            String sha = HexFormat.of().formatHex(md.digest());
            Path target = dir.resolve("skyward-agent-" + sha.substring(0, 16) + ".jar");
            if (Files.isRegularFile(target) && Files.size(target) == size) {
                Files.delete(tmp);
            } else {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            markUsed(target);
            pruneOlderThanAnHour(dir, target);
            Path knownTmp = Files.createTempFile(dir, "agent", ".sha256.part");
            Files.writeString(knownTmp, target.getFileName() + " " + sha + " " + stamp);
            Files.move(knownTmp, known, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new AgentJar(target, sha, size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the agent jar to " + dir + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Every build of the library brings its own agent jar and class archive: remove the jars of other
     * builds unused for an hour (a running agent keeps its open file; new agents use the new jar), and
     * the archives and marks of jars that are gone.
     */
    private static void pruneOlderThanAnHour(Path dir, Path keep) {
        long cutoff = System.currentTimeMillis() - 3_600_000;
        try {
            for (Path f : list(dir)) {
                String n = f.getFileName().toString();
                boolean jar = n.startsWith("skyward-agent-") && n.endsWith(".jar");
                boolean scratch = n.startsWith("agent-") && (n.endsWith(".sha256") || n.endsWith(".part"));
                if (jar && !f.equals(keep) && lastUsed(f) < cutoff) {
                    Files.deleteIfExists(f);
                    Files.deleteIfExists(usedMark(f));
                } else if (scratch && Files.getLastModifiedTime(f).toMillis() < cutoff) {
                    Files.deleteIfExists(f);
                }
            }
            for (Path f : list(dir)) {
                String n = f.getFileName().toString();
                // agent-<first 16 of the jar's hash>-... .jsa belongs to skyward-agent-<same 16>.jar
                if (n.startsWith("agent-") && n.endsWith(".jsa") && n.length() > 22
                        && !Files.exists(dir.resolve("skyward-agent-" + n.substring(6, 22) + ".jar"))) {
                    Files.deleteIfExists(f);
                } else if (n.endsWith(".jar.used")
                        && !Files.exists(dir.resolve(n.substring(0, n.length() - ".used".length())))) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            // Tidiness only.
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.toList();
        }
    }

    private static long lastUsed(Path jar) throws IOException {
        long used = Files.getLastModifiedTime(jar).toMillis();
        Path mark = usedMark(jar);
        return Files.exists(mark) ? Math.max(used, Files.getLastModifiedTime(mark).toMillis()) : used;
    }

    /** Where the jar is on this machine. */
    public Path path() {
        return path;
    }

    /** Hex SHA-256 of its content. */
    public String sha256() {
        return sha256;
    }

    /** Its size in bytes. */
    public long size() {
        return size;
    }
}
