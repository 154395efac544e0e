package dev.skyward.classload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.testkit.Leaks;
import dev.skyward.testing.TestClasspath;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code jshell} tool, started as a user starts it ({@code jshell --class-path ...}, no JVM
 * flags), runs a script that redefines a method, leaves an unserializable value in a hidden result
 * variable, and reads a variable that cannot travel.
 */
class JShellToolTest {

    @Test
    void aJShellSessionFollowsRedefinitionsAndOnlyShipsWhatTasksRead(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("session.jsh");
        Files.writeString(script, String.join("\n",
                "import dev.skyward.*;",
                "var pool = ComputePool.builder().name(\"jshell-tool\").nodes(2).console(false)"
                        + ".output(OutputListener.SILENT).build();",
                "System.out.println(\"POOL=\" + pool.id());",
                "int square(int x) { return x * x; }",
                "System.out.println(\"FIRST=\" + pool.broadcast(ctx -> square(3)));",
                "int square(int x) { return 1000 + x * x; }",
                "System.out.println(\"SECOND=\" + pool.broadcast(ctx -> square(3)));",
                "record Point(int x, int y) { }",
                "pool.run(ctx -> new Point(ctx.rank(), 7))",
                "System.out.println(\"AFTER=\" + pool.run(ctx -> 1));",
                "Thread th = new Thread();",
                "try { pool.run(ctx -> th.getName()); } catch (Exception e) {"
                        + " System.out.println(\"THREAD=\" + e.getClass().getName() + \": \" + e.getMessage()); }",
                "pool.close();",
                "/exit",
                ""));
        String jshell = Path.of(System.getProperty("java.home"), "bin", "jshell").toString();
        Process p = new ProcessBuilder(jshell, "--class-path", TestClasspath.asString(), script.toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        List<String> lines = new ArrayList<>();
        String poolId = null;
        List<Integer> ports = List.of();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
                if (line.startsWith("POOL=")) {
                    poolId = line.substring(5).trim();
                    ports = Leaks.agentPorts(poolId);
                }
            }
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String all = String.join("\n", lines);
        assertThat(poolId).as(all).isNotNull();
        assertThat(ports).as("agent ports seen while the session ran").hasSize(2);

        assertThat(lines).as(all).contains("FIRST=[9, 9]", "SECOND=[1009, 1009]", "AFTER=1");
        assertThat(lines).as(all).anySatisfy(l -> assertThat(l)
                .startsWith("THREAD=dev.skyward.TaskSerializationException: ")
                .contains("JShell variable 'th' (java.lang.Thread)"));
        assertThat(all).doesNotContain("NoClassDefFoundError");
        Leaks.assertNothingLeft(poolId, ports);
    }
}
