package dev.skyward.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.OutputListener;
import dev.skyward.guard.ClientId;
import dev.skyward.guard.Ledger;
import dev.skyward.spi.OwnedInstance;
import dev.skyward.testkit.Leaks;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pool on this machine is in the ledger while it is open, its nodes carry who made them (the local
 * provider lists them across pools), and closing it leaves neither nodes nor a ledger entry.
 */
@Timeout(120)
class LocalOwnershipTest {

    @Test
    void anOpenLocalPoolIsInTheLedgerAndItsNodesCarryTheirOwnership() {
        Local local = new Local();
        Ledger ledger = Ledger.standard();
        String first;
        String second;
        try (ComputePool a = ComputePool.builder().console(false).output(OutputListener.SILENT).provider(local)
                .nodes(2).maxNodeLifetime(Duration.ofHours(1)).build();
                ComputePool b = ComputePool.builder().console(false).output(OutputListener.SILENT).provider(local)
                        .build()) {
            first = a.id();
            second = b.id();
            assertThat(ledger.find(first)).hasValueSatisfying(e -> {
                assertThat(e.clientId()).isEqualTo(ClientId.current());
                assertThat(e.providers()).containsExactly("local");
                assertThat(e.nodes()).hasSize(2);
                assertThat(e.expires()).isNotNull();
                assertThat(e.clientAlive(java.time.Instant.now())).isTrue();
            });
            List<OwnedInstance> mine = local.ownedInstances().stream()
                    .filter(i -> i.poolId().equals(first) || i.poolId().equals(second)).toList();
            assertThat(mine).hasSize(3).allSatisfy(i -> {
                assertThat(i.ownership().clientId()).isEqualTo(ClientId.current());
                assertThat(i.hourlyPrice()).isZero();
            });
            assertThat(mine).filteredOn(i -> i.poolId().equals(first))
                    .allSatisfy(i -> assertThat(i.ownership().expires()).isNotNull());
            assertThat(mine).filteredOn(i -> i.poolId().equals(second))
                    .allSatisfy(i -> assertThat(i.ownership().lease()).isEqualTo(Duration.ofSeconds(60)));
        }
        assertThat(ledger.find(first)).isEmpty();
        assertThat(ledger.find(second)).isEmpty();
        assertThat(local.ownedInstances()).noneMatch(i -> i.poolId().equals(first) || i.poolId().equals(second));
        Leaks.assertNothingLeft(first, List.of());
        Leaks.assertNothingLeft(second, List.of());
    }
}
