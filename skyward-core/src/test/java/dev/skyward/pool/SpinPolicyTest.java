package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a caller waiting for its answer may spin instead of parking. */
class SpinPolicyTest {

    @Test
    void onTwoCoresWithALocalNodeAtWorkNobodySpins() {
        // one core's worth taken by the agent and the caller's transport
        assertThat(Call.Spin.allowedSpinners(2, 0.5, 0)).isZero();
        // the machine only looked half idle because a caller was spinning: still no room for a second
        assertThat(Call.Spin.allowedSpinners(2, 0.75, 0.5)).isZero();
    }

    @Test
    void anIdleMachineLetsAllButOneCoreSpin() {
        assertThat(Call.Spin.allowedSpinners(8, 0.0, 0)).isEqualTo(7);
        assertThat(Call.Spin.allowedSpinners(2, 0.0, 0)).isEqualTo(1);
    }

    @Test
    void timeSpentSpinningCountsAsIdle() {
        // 8 cores, 3 busy spinning here and 1 with other work: 7 idle but for the spin, 6 may spin
        assertThat(Call.Spin.allowedSpinners(8, 0.5, 3)).isEqualTo(6);
    }

    @Test
    void aBusyMachineLetsNobodySpin() {
        assertThat(Call.Spin.allowedSpinners(4, 1.0, 0)).isZero();
        assertThat(Call.Spin.allowedSpinners(1, 0.0, 0)).isZero();
    }
}
