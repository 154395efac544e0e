package dev.skyward.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.testkit.Leaks;
import org.junit.jupiter.api.Test;

/** The test kit looks for leftover node directories where the local provider puts them. */
class LocalRootTest {

    @Test
    void leaksLooksWhereLocalKeepsItsNodes() {
        assertThat(Leaks.localRoot()).isEqualTo(new Local().root());
    }
}
