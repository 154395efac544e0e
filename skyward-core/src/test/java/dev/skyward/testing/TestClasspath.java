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
}
