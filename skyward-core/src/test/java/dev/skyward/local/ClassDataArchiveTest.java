package dev.skyward.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.node.AgentJar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local agents start from a class-data archive of the agent's classes. The JVM silently ignores an
 * archive whose jar changed (even only its modification time), so the archive an agent is given must
 * be one the JVM accepts: these cases start real JVMs with {@code -Xshare:on}, which fails instead of
 * ignoring.
 */
class ClassDataArchiveTest {

    /** A debugger's JVMTI agent, listening on a free loopback port, not waiting for a debugger. */
    private static final String JDWP = "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0";

    @TempDir
    Path dir;

    @Test
    void anAgentStartsFromTheArchiveThatAnEarlierAgentRecorded() throws Exception {
        Path jar = copyOfTheAgentJar();
        ClassDataArchive cds = recordedBy(jar);

        assertThat(cds.file()).isRegularFile();
        assertThat(runAgentWithoutArguments(jar, List.of("-XX:SharedArchiveFile=" + cds.file(), "-Xshare:on")))
                .as("an agent mapping the archive prints its usage and exits 2; a refused archive exits 1")
                .isEqualTo(2);
    }

    @Test
    void anAgentThatAttachesADebuggerStartsWithoutRecordingAnArchive() throws Exception {
        Path jar = copyOfTheAgentJar();
        ClassDataArchive cds = ClassDataArchive.forAgent(jar, AgentJar.get().sha256());
        List<String> options = new ArrayList<>(List.of(JDWP));

        Path[] recordTo = new Path[1];
        options.addAll(cds.options(recordTo, false));

        assertThat(runAgentWithoutArguments(jar, options))
                .as("a JVM asked to record an archive with a JVMTI agent attached exits 1 before main")
                .isEqualTo(2);
        assertThat(recordTo[0]).isNull();
        assertThat(cds.file()).doesNotExist();
    }

    @Test
    void anAgentThatAttachesADebuggerStillUsesAnArchiveRecordedBefore() throws Exception {
        Path jar = copyOfTheAgentJar();
        ClassDataArchive cds = recordedBy(jar);

        List<String> options = new ArrayList<>(List.of(JDWP));
        options.addAll(cds.options(new Path[1], false));

        assertThat(options).contains("-XX:SharedArchiveFile=" + cds.file());
        assertThat(runAgentWithoutArguments(jar, options)).isEqualTo(2);
    }

    @Test
    void usingTheAgentJarAgainKeepsItsArchiveValid() throws Exception {
        AgentJar jar = AgentJar.get();
        FileTime before = Files.getLastModifiedTime(jar.path());
        Thread.sleep(20);

        AgentJar.get();

        assertThat(Files.getLastModifiedTime(jar.path())).isEqualTo(before);
    }

    @Test
    void aJarWhoseTimeChangedGetsAnotherArchiveRatherThanOneTheJvmWouldRefuse() throws Exception {
        Path jar = copyOfTheAgentJar();
        String sha = AgentJar.get().sha256();
        ClassDataArchive first = ClassDataArchive.forAgent(jar, sha);

        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));

        assertThat(ClassDataArchive.forAgent(jar, sha).file()).isNotEqualTo(first.file());
        assertThat(ClassDataArchive.forAgent(jar, sha).file()).isEqualTo(ClassDataArchive.forAgent(jar, sha).file());
    }

    /** The jar's archive, after an agent that was allowed to record one ran and exited. */
    private ClassDataArchive recordedBy(Path jar) throws Exception {
        ClassDataArchive cds = ClassDataArchive.forAgent(jar, AgentJar.get().sha256());
        Path[] recordTo = new Path[1];
        runAgentWithoutArguments(jar, cds.options(recordTo, true));
        cds.publish(recordTo[0]);
        return cds;
    }

    private Path copyOfTheAgentJar() throws IOException {
        Path jar = dir.resolve("skyward-agent-test.jar");
        Files.copy(AgentJar.get().path(), jar);
        return jar;
    }

    private int runAgentWithoutArguments(Path jar, List<String> options) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(options);
        cmd.add("-jar");
        cmd.add(jar.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile())
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }
}
