package dev.skyward.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Netty settings each end applies before its first channel: a setting the JVM was started with
 * wins, and a client leaves the leak detector of the application's gRPC alone.
 */
class NettyTuningTest {

    @AfterEach
    void clear() {
        System.clearProperty(NettyTuning.JFR_PROPERTY);
        System.clearProperty(NettyTuning.LEAK_DETECTION_PROPERTY);
    }

    @Test
    void aClientSkipsNettysFlightRecorderEventsButKeepsItsLeakDetector() {
        NettyTuning.forClient();

        assertThat(System.getProperty(NettyTuning.JFR_PROPERTY)).isEqualTo("false");
        assertThat(System.getProperty(NettyTuning.LEAK_DETECTION_PROPERTY)).isNull();
    }

    @Test
    void anAgentAlsoTurnsTheLeakDetectorOfItsOwnNettyOff() {
        NettyTuning.forAgent();

        assertThat(System.getProperty(NettyTuning.JFR_PROPERTY)).isEqualTo("false");
        assertThat(System.getProperty(NettyTuning.LEAK_DETECTION_PROPERTY)).isEqualTo("disabled");
    }

    @Test
    void whatTheJvmWasStartedWithWins() {
        System.setProperty(NettyTuning.JFR_PROPERTY, "true");
        System.setProperty(NettyTuning.LEAK_DETECTION_PROPERTY, "paranoid");

        NettyTuning.forAgent();

        assertThat(System.getProperty(NettyTuning.JFR_PROPERTY)).isEqualTo("true");
        assertThat(System.getProperty(NettyTuning.LEAK_DETECTION_PROPERTY)).isEqualTo("paranoid");
    }
}
