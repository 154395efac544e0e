package dev.skyward.sky;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.ComputePool;
import dev.skyward.OutputListener;
import dev.skyward.ProvisioningException;
import dev.skyward.sky.Clouds.Cloud;
import dev.skyward.sky.Clouds.Failure;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The harness itself: each of the three fake clouds fails the way it is told to, and leaves nothing.
 * (Each running a pool is AcceptanceStepsTest's first step.)
 */
@Timeout(180)
class CloudsTest {

    static Clouds clouds;

    @BeforeAll
    static void start() throws Exception {
        clouds = Clouds.start();
    }

    @AfterAll
    static void stop() {
        if (clouds != null) {
            clouds.close();
        }
    }

    @AfterEach
    void healthyAgain() {
        clouds.reset();
    }

    private static ComputePool.Builder pool(Cloud cloud) {
        return ComputePool.builder().console(false).output(OutputListener.SILENT).provider(clouds.provider(cloud))
                .accelerator("H100").provisionTimeout(Duration.ofMinutes(2));
    }

    @ParameterizedTest
    @EnumSource(Failure.class)
    void eachCloudFailsTheWayItIsToldAndLeavesNothing(Failure failure) {
        for (Cloud cloud : Cloud.values()) {
            clouds.fail(cloud, failure);
            assertThatThrownBy(() -> pool(cloud).build()).as(cloud + " " + failure)
                    .isInstanceOf(ProvisioningException.class)
                    .hasMessageContaining(failure.name().toLowerCase());
            clouds.reset();
        }
        clouds.assertNothingLeftAnywhere();
    }

    @Test
    void nothingIsLeftWhenNothingRan() {
        assertThat(clouds.leftovers()).isEmpty();
    }
}
