package dev.skyward.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.testkit.Leaks;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the local provider keeps its nodes, and that the test kit looks there. */
class LocalRootTest {

    @Test
    void leaksLooksWhereLocalKeepsItsNodes() {
        assertThat(Leaks.localRoot()).isEqualTo(new Local().root());
    }

    @Test
    void theEnvironmentMovesTheDefaultRoot() {
        assertThat(Local.defaultRoot(Map.of(Local.ROOT_ENV, "/data/nodes"), "/tmp", "ann"))
                .isEqualTo(Path.of("/data/nodes"));
    }

    @Test
    void withoutItNodesGoUnderTheTemporaryDirectoryPerUser() {
        assertThat(Local.defaultRoot(Map.of(), "/tmp", "ann")).isEqualTo(Path.of("/tmp/skyward-local-ann"));
        assertThat(Local.defaultRoot(Map.of(Local.ROOT_ENV, " "), "/tmp", "ann"))
                .isEqualTo(Path.of("/tmp/skyward-local-ann"));
    }

    @Test
    void thisSuiteKeepsItsNodesInItsOwnBuildDirectory() {
        assertThat(new Local().root()).as("surefire sets %s", Local.ROOT_ENV).endsWith(Path.of("target", "skyward-local"));
    }
}
