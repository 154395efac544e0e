package dev.skyward.bench;

import dev.skyward.ComputePool;
import dev.skyward.Task;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;

/**
 * Which of the client's source files one warm {@code pool.run(task)} runs code of, and where it
 * re-enters a file it already left (a jump back): JFR's method tracing (JDK 25+) over every class of
 * skyward-api, skyward-wire and skyward-core (not protobuf's generated ones), on a one-node local pool
 * after 2,000 calls. A count, not a time: tracing slows every traced method.
 *
 * <pre>
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -cp "benchmarks/target/benchmarks.jar:benchmarks/target/lib/*" \
 *     dev.skyward.bench.HotPath
 * </pre>
 */
public final class HotPath {

    private HotPath() {
    }

    public static void main(String[] args) throws Exception {
        if (Runtime.version().feature() < 25) {
            System.err.println("HotPath needs JDK 25 or later (JFR method tracing); run it with "
                    + "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
            System.exit(2);
        }
        List<String> classes = new ArrayList<>();
        for (Class<?> c : List.of(ComputePool.class, Class.forName("dev.skyward.pool.Call"),
                Class.forName("dev.skyward.wire.serial.Payload"))) {
            classes.addAll(classesBeside(c));
        }
        try (ComputePool pool = ComputePool.builder().nodes(1).console(false).build()) {
            for (int i = 0; i < 2000; i++) {
                int x = i;
                pool.run((Task<Integer>) ctx -> x + 1);
            }
            Path file = Files.createTempFile("hot-path", ".jfr");
            try (Recording r = new Recording()) {
                r.enable("jdk.MethodTrace").with("filter", String.join(";", classes)).with("threshold", "0 ms")
                        .with("stackTrace", "true");
                r.start();
                Thread.sleep(2000); // the instrumentation settles first
                int y = 7;
                pool.run((Task<Integer>) ctx -> y + 1);
                Thread.sleep(100);
                r.stop();
                r.dump(file);
            }
            report(RecordingFile.readAllEvents(file));
            Files.delete(file);
        }
    }

    private static void report(List<RecordedEvent> events) {
        Map<String, Set<String>> filesByThread = new TreeMap<>();
        Map<String, Set<String>> methodsByFile = new TreeMap<>();
        Set<String> jumpsBack = new TreeSet<>();
        for (RecordedEvent e : events) {
            String thread = e.getThread() == null ? "?" : e.getThread().getJavaName();
            if (thread.startsWith("skyward-heartbeat")) {
                continue; // twice a second whatever the calls do
            }
            RecordedMethod m = e.getValue("method");
            String file = fileOf(m.getType().getName());
            filesByThread.computeIfAbsent(thread.replaceAll("-[0-9a-f]{6}(-\\d+)?$", ""), k -> new TreeSet<>())
                    .add(file);
            methodsByFile.computeIfAbsent(file, k -> new TreeSet<>())
                    .add(m.getType().getName().substring(file.length()) + "." + m.getName());
            if (e.getStackTrace() != null) {
                jumpBack(file, m, e.getStackTrace().getFrames()).ifPresent(jumpsBack::add);
            }
        }
        Set<String> all = new TreeSet<>(methodsByFile.keySet());
        System.out.println("files whose code one warm pool.run(task) runs: " + all.size());
        filesByThread.forEach((t, files) -> System.out.println("  thread " + t + ": " + files.size() + " files"));
        methodsByFile.forEach((f, ms) -> System.out.println("  " + f + "  " + String.join(" ", ms)));
        System.out.println("jumps back (distinct chains that call into a file already lower on the stack): "
                + jumpsBack.size());
        jumpsBack.forEach(j -> System.out.println("  " + j));
    }

    /** "A → B → A.method": the traced method's file is on the stack below a different file. */
    private static Optional<String> jumpBack(String file, RecordedMethod m, List<RecordedFrame> frames) {
        List<String> ours = new ArrayList<>();
        // The traced method is on top of its event's stack, or (as JFR records it) its caller is.
        boolean selfOnTop = !frames.isEmpty() && frames.get(0).getMethod().getName().equals(m.getName())
                && frames.get(0).getMethod().getType().getName().equals(m.getType().getName());
        if (!selfOnTop) {
            ours.add(file);
        }
        for (RecordedFrame f : frames) {
            String c = f.getMethod().getType().getName();
            if (c.startsWith("dev.skyward.") && !c.contains(".proto.") && !c.startsWith("dev.skyward.bench.")) {
                String cf = fileOf(c);
                if (ours.isEmpty() || !ours.get(ours.size() - 1).equals(cf)) {
                    ours.add(cf);
                }
            }
        }
        if (ours.size() < 3) {
            return Optional.empty();
        }
        int below = ours.subList(2, ours.size()).indexOf(file);
        if (below < 0) {
            return Optional.empty();
        }
        List<String> chain = ours.subList(0, below + 3);
        return Optional.of(String.join(" <- ", chain.stream().map(HotPath::shortName).toList()));
    }

    private static String fileOf(String className) {
        int dollar = className.indexOf('$');
        return dollar < 0 ? className : className.substring(0, dollar);
    }

    private static String shortName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /** Every class in the jar or folder {@code c} was loaded from, but protobuf's generated ones. */
    private static List<String> classesBeside(Class<?> c) throws URISyntaxException, IOException {
        Path where = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(where)) {
            try (Stream<Path> s = Files.walk(where)) {
                s.map(p -> where.relativize(p).toString()).forEach(n -> addClass(names, n));
            }
        } else {
            try (JarFile j = new JarFile(where.toFile())) {
                j.stream().map(JarEntry::getName).forEach(n -> addClass(names, n));
            }
        }
        return names;
    }

    private static void addClass(List<String> names, String entry) {
        if (entry.startsWith("dev/skyward/") && entry.endsWith(".class") && !entry.contains("/proto/")
                && !entry.equals("module-info.class")) {
            names.add(entry.substring(0, entry.length() - ".class".length()).replace('/', '.'));
        }
    }
}
