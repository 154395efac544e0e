package dev.skyward.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The extracted agent jar is shared by every client JVM of this user on the machine, and each build
 * prunes other builds' jars unused for an hour: a jar in use must never look unused, and one that is
 * gone all the same (a tmp cleaner) comes back.
 */
class AgentJarTest {

    @Test
    void usingTheJarMarksItUsedSoThatAnotherBuildsPruneLeavesIt() throws Exception {
        AgentJar jar = AgentJar.get();
        Files.setLastModifiedTime(AgentJar.usedMark(jar.path()), FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        AgentJar again = AgentJar.get();
        assertThat(again.path()).isEqualTo(jar.path());
        assertThat(Files.getLastModifiedTime(AgentJar.usedMark(again.path())).toInstant())
                .isAfter(Instant.now().minus(Duration.ofMinutes(1)));
    }

    @Test
    void aJarDeletedUnderneathARunningClientIsExtractedAgain() throws Exception {
        AgentJar jar = AgentJar.get();
        Files.delete(jar.path());
        AgentJar again = AgentJar.get();
        assertThat(again.path()).exists().hasFileName(jar.path().getFileName().toString());
        assertThat(again.sha256()).isEqualTo(jar.sha256());
        assertThat(Files.size(again.path())).isEqualTo(Files.size(jar.path()));
    }
}
