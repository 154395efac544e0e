package dev.skyward.testing;

import java.io.File;
import java.util.Arrays;
import java.util.List;

/** The test JVM's real classpath (surefire hides it behind a manifest-only jar). */
public final class TestClasspath {

    private TestClasspath() {
    }

    /** The classpath as one string. */
    public static String asString() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    /** The classpath entries. */
    public static List<String> entries() {
        return Arrays.stream(asString().split(File.pathSeparator)).filter(s -> !s.isBlank()).toList();
    }

    /** Starts a JVM running {@code main} with this classpath and the JVM flags the tests use. */
    public static ProcessBuilder java(Class<?> main, String... args) {
        String java = System.getProperty("java.home") + "/bin/java";
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-cp", asString(),
                "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED", main.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    /**
     * Starts a JVM running {@code main} the way a user's {@code java -cp app.jar Main} starts: this
     * classpath and no JVM flags at all (Surefire's opens can hide what a user would meet).
     */
    public static ProcessBuilder plainJava(String classpath, Class<?> main, String... args) {
        String java = System.getProperty("java.home") + "/bin/java";
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-cp", classpath, main.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        return pb;
    }

    /** {@link #plainJava(String, Class, String...)} with this classpath. */
    public static ProcessBuilder plainJava(Class<?> main, String... args) {
        return plainJava(asString(), main, args);
    }

    /** Runs a child JVM to its end (at most {@code seconds}) and returns what it printed, both streams. */
    public static String output(ProcessBuilder pb, int seconds) throws Exception {
        Process p = pb.redirectErrorStream(true).start();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            try (var in = p.getInputStream()) {
                in.transferTo(out);
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        reader.start();
        if (!p.waitFor(seconds, java.util.concurrent.TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            reader.join(5000);
            throw new AssertionError("child JVM did not finish within " + seconds + " s; it printed:\n" + out);
        }
        reader.join(5000);
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
