package dev.skyward.bench;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Measured values of one benchmark JVM as {@code key=value} lines, appended to a file as soon as
 * each is known (so a crash later in the run keeps what was measured). {@link Report} reads them.
 */
final class Results {

    private final Path file;

    Results(Path file) {
        this.file = file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path file() {
        return file;
    }

    void put(String key, Object value) {
        String line = key + "=" + String.valueOf(value).replace('\n', ' ') + System.lineSeparator();
        System.out.print("  " + line);
        try {
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void error(String key, Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        put("error." + key, t.getClass().getSimpleName() + ": " + t.getMessage()
                + (root != t ? " (root: " + root.getClass().getName() + ": " + root.getMessage() + ")" : ""));
        t.printStackTrace();
    }

    /** Reads a file written by {@link #put}; a missing file is empty. Later keys win. */
    static Map<String, String> read(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String k : p.stringPropertyNames()) {
            out.put(k, p.getProperty(k));
        }
        return out;
    }
}
