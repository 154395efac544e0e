package dev.skyward.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.node.AgentCommand;
import dev.skyward.node.AgentJar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A remote agent's class-data archive options. A JVM asked to record an archive refuses to start when
 * a JVMTI or Java agent is attached (a profiler, {@code -agentlib:jdwp}), so a user who passes one in
 * {@code agentJvmOptions} must get an agent that starts: these cases run the real {@code java} with the
 * options the node would get, on JDK 17 and 18's path (record at exit) and on 19+'s (auto-create).
 */
class AgentClassSharingTest {

    private static final String JDWP = "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0";

    @TempDir
    Path home;

    @Test
    void aNodeAgentWithADebuggerAttachedIsNotAskedToRecordAnArchive() throws Exception {
        for (String version : List.of("17.0.15", "21.0.5")) {
            List<String> options = AgentProcess.classSharing(facts(), new JavaRuntime(java(), version),
                    Artifact.of(AgentJar.get().path()), command(List.of(JDWP)));

            assertThat(options).as("JDK " + version).noneMatch(o -> o.startsWith("-XX:ArchiveClassesAtExit")
                    || o.equals("-XX:+AutoCreateSharedArchive"));
            assertThat(exitCode(options)).as("java -version with JDK " + version + "'s options and jdwp").isZero();
        }
    }

    @Test
    void aNodeAgentWithoutAttachedAgentsStillRecordsOne() throws Exception {
        List<String> options = AgentProcess.classSharing(facts(), new JavaRuntime(java(), "17.0.15"),
                Artifact.of(AgentJar.get().path()), command(List.of()));

        assertThat(options).anyMatch(o -> o.startsWith("-XX:ArchiveClassesAtExit="));
    }

    /** A node whose cache holds no class-data archive yet. */
    private NodeFacts facts() {
        return new NodeFacts("Linux", "x86_64", "debian", home.toString(), true, false, "apt",
                List.of(new JavaRuntime(java(), "17.0.15")), Set.of(), false, -1, false);
    }

    private static AgentCommand command(List<String> jvmOptions) {
        return new AgentCommand(AgentJar.get().path(), "skyward-test", 0, "token", Map.of(), Duration.ofSeconds(30),
                null, jvmOptions);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code java OPTIONS JDWP -version}; the archive paths point into the test's home. */
    private int exitCode(List<String> options) throws Exception {
        Files.createDirectories(home.resolve(RemoteLayout.CACHE));
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(options);
        cmd.add(JDWP);
        cmd.add("-version");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(home.resolve("out.log").toFile())
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }
}
