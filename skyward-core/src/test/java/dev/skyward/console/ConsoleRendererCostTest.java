package dev.skyward.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.NodeCost;
import dev.skyward.PoolEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The close line names what each provider's machines were, the price paid for them and what they cost. */
class ConsoleRendererCostTest {

    private static final Instant T0 = Instant.parse("2026-12-02T08:00:00Z");

    @Test
    void theCloseLineBreaksTheCostDownPerProviderAndMarket() {
        List<NodeCost> nodes = List.of(
                new NodeCost("verda", "v-1", "1H100.80S.30V", "FIN-03", true, 1.0, T0, T0.plusSeconds(1800)),
                new NodeCost("verda", "v-2", "1H100.80S.30V", "FIN-03", true, 1.0, T0, T0.plusSeconds(1800)),
                new NodeCost("aws", "a-1", "p5.4xlarge", "us-east-1", false, 6.88, T0, T0.plusSeconds(900)));
        String line = ConsoleRenderer.render(new PoolEvent.Closed("skyward-1", Duration.ofMinutes(30), 8.88,
                2.72, nodes));
        assertThat(line).isEqualTo("pool skyward-1 closed after 1800.0 s; estimated cost $2.7200 ($8.88/h)"
                + " = verda 2 x 1H100.80S.30V spot at $1.00/h, $1.0000 + aws 1 x p5.4xlarge on-demand at $6.88/h, $1.7200");
    }

    @Test
    void freeMachinesAddNothingToTheCloseLine() {
        String line = ConsoleRenderer.render(new PoolEvent.Closed("skyward-2", Duration.ofSeconds(3), 0, 0,
                List.of(new NodeCost("local", "local/0", "local", "local", false, 0, T0, T0.plusSeconds(3)))));
        assertThat(line).isEqualTo("pool skyward-2 closed after 3.0 s; estimated cost $0.0000 ($0.00/h)");
    }
}
