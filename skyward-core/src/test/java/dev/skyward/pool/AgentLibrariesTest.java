package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.OutputListener;
import dev.skyward.Task;
import dev.skyward.testing.TestClasspath;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's own libraries (gRPC, Guava, protobuf, Fory, SLF4J ...) are invisible to tasks: an
 * application on a newer Guava (jre flavour) and protobuf 4 gets its own versions on the node, from
 * a classes directory and from a fat jar, and the agent keeps working. Client JVMs start without flags.
 */
class AgentLibrariesTest {

    private static final Path USER_LIBRARIES = Path.of("target", "user-libraries");

    @TempDir
    static Path work;
    private static Path appClasses;
    private static List<String> newer;

    /** An application's code, compiled against the newer libraries (the test's own classpath has older ones). */
    private static final String APP_SOURCE = """
            package app;

            import com.google.common.collect.FluentIterable;
            import com.google.protobuf.Api;
            import com.google.protobuf.TextFormat;
            import dev.skyward.Task;
            import java.util.stream.Collectors;

            public final class NewerLibraries {
                public static Task<String> probe() {
                    return ctx -> {
                        String guava = FluentIterable.of(1, 2, 3).stream().map(String::valueOf).collect(Collectors.joining(","));
                        String edition = Api.newBuilder().setName("svc").build().getEdition();
                        String printed = TextFormat.debugFormatPrinter().printToString(Api.newBuilder().setName("svc").build());
                        return "guava=" + guava + " guavaLoader=" + FluentIterable.class.getClassLoader().getName()
                                + " protobufLoader=" + Api.class.getClassLoader().getName()
                                + " edition=[" + edition + "] printed=" + printed.contains("svc");
                    };
                }
            }
            """;

    @BeforeAll
    static void compileTheApplication() throws IOException {
        try (Stream<Path> jars = Files.list(USER_LIBRARIES)) {
            newer = jars.map(p -> p.toAbsolutePath().toString()).sorted().toList();
        }
        assertThat(newer).anyMatch(j -> j.contains("guava-33.7.2-jre")).anyMatch(j -> j.contains("protobuf-java-4.32.1"));
        Path src = work.resolve("src/app/NewerLibraries.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, APP_SOURCE);
        appClasses = work.resolve("app-classes");
        Files.createDirectories(appClasses);
        List<String> cp = new ArrayList<>(newer);
        TestClasspath.entries().stream().filter(e -> e.contains("skyward-api")).forEach(cp::add);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "--release", "17", "-d", appClasses.toString(),
                "-cp", String.join(File.pathSeparator, cp), src.toString());
        assertThat(rc).as("the application compiles").isZero();
    }

    @Test
    void tasksFromAClassesDirectorySeeTheApplicationsNewerGuavaAndProtobuf() throws Exception {
        List<String> cp = new ArrayList<>();
        cp.add(appClasses.toString());
        cp.addAll(newer);
        cp.addAll(withoutOlderCopies());
        assertAppsOwnLibrariesRan(run(cp));
    }

    @Test
    void tasksFromAFatJarSeeTheApplicationsNewerGuavaAndProtobuf() throws Exception {
        Path fat = work.resolve("app-all.jar");
        List<Path> parts = new ArrayList<>();
        parts.add(appClasses);
        newer.forEach(j -> parts.add(Path.of(j)));
        fatJar(fat, parts);
        List<String> cp = new ArrayList<>();
        cp.add(fat.toString());
        cp.addAll(withoutOlderCopies());
        assertAppsOwnLibrariesRan(run(cp));
    }

    private static void assertAppsOwnLibrariesRan(String out) {
        assertThat(out).contains("RUN guava=1,2,3 guavaLoader=skyward-session protobufLoader=skyward-session edition=[] printed=true")
                .contains("BROADCAST [guava=1,2,3 guavaLoader=skyward-session")
                .contains("AGENT 2")
                .contains("DONE");
    }

    private static String run(List<String> classpath) throws Exception {
        return TestClasspath.output(TestClasspath.plainJava(String.join(File.pathSeparator, classpath),
                ApplicationProgram.class), 180);
    }

    /** The client's classpath as the application's build resolves it: one Guava and one protobuf, the newer. */
    private static List<String> withoutOlderCopies() {
        return TestClasspath.entries().stream()
                .filter(e -> !Path.of(e).getFileName().toString().matches("(guava|failureaccess|protobuf-java)-[0-9].*\\.jar"))
                .toList();
    }

    private static void fatJar(Path target, List<Path> parts) throws IOException {
        Set<String> seen = new HashSet<>();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target))) {
            for (Path part : parts) {
                if (Files.isDirectory(part)) {
                    try (Stream<Path> files = Files.walk(part)) {
                        for (Path f : files.filter(Files::isRegularFile).toList()) {
                            String name = part.relativize(f).toString().replace(File.separatorChar, '/');
                            if (seen.add(name)) {
                                out.putNextEntry(new JarEntry(name));
                                Files.copy(f, out);
                                out.closeEntry();
                            }
                        }
                    }
                } else {
                    try (JarFile jar = new JarFile(part.toFile())) {
                        for (Enumeration<JarEntry> en = jar.entries(); en.hasMoreElements(); ) {
                            JarEntry e = en.nextElement();
                            String name = e.getName();
                            if (e.isDirectory() || name.equals("META-INF/MANIFEST.MF") || name.matches("META-INF/.*\\.(SF|RSA|DSA)")
                                    || !seen.add(name)) {
                                continue;
                            }
                            out.putNextEntry(new JarEntry(name));
                            try (InputStream in = jar.getInputStream(e)) {
                                in.transferTo(out);
                            }
                            out.closeEntry();
                        }
                    }
                }
            }
        }
    }

    /** The user's program: runs the application's task on a two-node pool. */
    public static final class ApplicationProgram {
        @SuppressWarnings("unchecked")
        public static void main(String[] args) throws Exception {
            Task<String> probe = (Task<String>) Class.forName("app.NewerLibraries").getMethod("probe").invoke(null);
            try (ComputePool pool = ComputePool.builder().name("libraries").nodes(2).console(false)
                    .output(OutputListener.SILENT).build()) {
                try {
                    System.out.println("RUN " + pool.run(probe));
                    System.out.println("BROADCAST " + pool.broadcast(probe));
                } catch (RuntimeException e) {
                    e.printStackTrace(System.out);
                }
                int two = pool.run(ctx -> 1 + 1);
                System.out.println("AGENT " + two);
            }
            System.out.println("DONE");
        }
    }
}
