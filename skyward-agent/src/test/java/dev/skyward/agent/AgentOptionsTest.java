package dev.skyward.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The agent's flags for the spot interruption watch: off unless asked, and a bad address said plainly. */
class AgentOptionsTest {

    private static final List<String> REQUIRED = List.of("--work-dir", "/tmp/w", "--port-file", "/tmp/p", "--pool",
            "p", "--rank", "0");

    @Test
    void anAgentWatchesForNoNoticeUnlessTold() {
        AgentOptions o = AgentOptions.parse(REQUIRED);
        assertThat(o.spotNotice()).isNull();
        assertThat(o.spotPoll()).isEqualTo(SpotNoticeWatcher.DEFAULT_INTERVAL);
    }

    @Test
    void theMetadataAddressAndPollIntervalAreFlags() {
        AgentOptions o = AgentOptions.parse(with("--spot-notice", "http://169.254.169.254", "--spot-poll-ms", "500"));
        assertThat(o.spotNotice()).isEqualTo(URI.create("http://169.254.169.254"));
        assertThat(o.spotPoll()).isEqualTo(Duration.ofMillis(500));
        assertThat(AgentOptions.parse(with("--spot-notice", "http://[fd00:ec2::254]")).spotNotice().getHost())
                .isEqualTo("[fd00:ec2::254]");
    }

    @Test
    void aMetadataAddressThatIsNotHttpIsRefusedWithWhatIsExpected() {
        assertThatThrownBy(() -> AgentOptions.parse(with("--spot-notice", "169.254.169.254")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://")
                .hasMessageContaining("169.254.169.254");
        assertThatThrownBy(() -> AgentOptions.parse(with("--spot-notice", "https://x y")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--spot-notice");
    }

    private static List<String> with(String... more) {
        List<String> all = new ArrayList<>(REQUIRED);
        all.addAll(List.of(more));
        return all;
    }
}
