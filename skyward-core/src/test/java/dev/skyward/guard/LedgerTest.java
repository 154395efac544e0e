package dev.skyward.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.spi.Instance;
import dev.skyward.spi.InstanceStatus;
import dev.skyward.spi.OwnedInstance;
import dev.skyward.spi.Ownership;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger of open pools: one entry per open pool, written whole so concurrent pools never see a
 * half-written one, removed on close; a client killed with SIGKILL leaves its entry with a dead pid, and
 * is told apart from a live one.
 */
@Timeout(120)
class LedgerTest {

    @TempDir
    Path dir;

    private static LedgerEntry entry(String pool, Duration lease) {
        Instant now = Instant.now();
        return new LedgerEntry(pool, "test", List.of("local"), ClientId.current(), ProcessHandle.current().pid(),
                ProcessHandle.current().info().startInstant().orElse(null), now, null, lease, now, List.of());
    }

    @Test
    void anEntryReadsBackFieldForFieldAndOneFromAnotherVersionIsReadByTheFieldsItShares() throws Exception {
        Ledger ledger = new Ledger(dir);
        LedgerEntry written = entry("pool-a", Duration.ofMinutes(5)).withNodes(List.of("aws/us-east-1/i-0abc", "local/n1"));
        try (Ledger.Lease lease = ledger.open(written)) {
            assertThat(ledger.find("pool-a")).contains(written);
        }
        assertThat(ledger.find("pool-a")).isEmpty();

        // A later version may add fields (and an earlier one wrote nulls): known fields are read, others skipped.
        Files.writeString(dir.resolve("pool-b.json"), """
                {"poolId":"pool-b","name":"n","providers":["verda"],"clientId":"c","pid":42,"pidStarted":null,
                 "started":"2026-12-01T10:00:00Z","expires":null,"leaseSeconds":60,"heartbeat":"2026-12-01T10:00:10Z",
                 "nodes":["verda/FIN-01/x"],"future":{"nested":[1,2,{"a":null}]},"flag":true}
                """);
        Files.writeString(dir.resolve("broken.json"), "[1, 2]");
        assertThat(ledger.entries()).singleElement().satisfies(e -> {
            assertThat(e.poolId()).isEqualTo("pool-b");
            assertThat(e.providers()).containsExactly("verda");
            assertThat(e.pid()).isEqualTo(42);
            assertThat(e.started()).isEqualTo(Instant.parse("2026-12-01T10:00:00Z"));
            assertThat(e.expires()).isNull();
            assertThat(e.lease()).isEqualTo(Duration.ofSeconds(60));
            assertThat(e.nodes()).containsExactly("verda/FIN-01/x");
        });
    }

    @Test
    void concurrentPoolsEachKeepTheirOwnEntryAndReadersNeverSeeAHalfWrittenOne() throws Exception {
        Ledger ledger = new Ledger(dir);
        int pools = 12;
        ExecutorService threads = Executors.newFixedThreadPool(pools + 2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            // One pool stays open until the reader has read an entry, so reads and writes overlap even
            // when the scheduler runs the reader's first 200 reads before any writer.
            CountDownLatch readOne = new CountDownLatch(1);
            Set<String> seen = ConcurrentHashMap.newKeySet();
            List<Future<?>> work = new ArrayList<>();
            for (int i = 0; i < pools; i++) {
                String pool = "p" + i;
                work.add(threads.submit(() -> {
                    go.await();
                    try (Ledger.Lease lease = ledger.open(entry(pool, Duration.ofSeconds(30)))) {
                        for (int n = 0; n < 20; n++) {
                            lease.nodes(List.of("local/" + pool + "-node-" + n));
                        }
                        if (pool.equals("p0")) {
                            assertThat(readOne.await(30, TimeUnit.SECONDS)).as("the reader read an entry").isTrue();
                        }
                        assertThat(ledger.find(pool)).hasValueSatisfying(e -> assertThat(e.nodes())
                                .containsExactly("local/" + pool + "-node-19"));
                    }
                    return null;
                }));
            }
            // Readers while the writers write: every entry they read is whole.
            Future<?> reader = threads.submit(() -> {
                go.await();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                for (int n = 0; n < 200 || readOne.getCount() > 0 && System.nanoTime() < deadline; n++) {
                    for (LedgerEntry e : ledger.entries()) {
                        assertThat(e.clientId()).isEqualTo(ClientId.current());
                        assertThat(e.clientAlive(Instant.now())).isTrue();
                        seen.add(e.poolId());
                        readOne.countDown();
                    }
                }
                return null;
            });
            go.countDown();
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
            reader.get(60, TimeUnit.SECONDS);
            assertThat(seen).isNotEmpty();
        } finally {
            threads.shutdownNow();
        }
        assertThat(ledger.entries()).isEmpty();
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).as("no entry or temporary file left").isEmpty();
        }
    }

    @Test
    void aClientKilledWithSigkillLeavesAnEntryThatSaysItsClientIsDead() throws Exception {
        Ledger ledger = new Ledger(dir);
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process client = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-cp", cp,
                LedgerClientMain.class.getName(), dir.toString(), "crashed-pool").redirectErrorStream(true).start();
        String clientId;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
            String line = r.readLine();
            assertThat(line).startsWith("OPEN ");
            clientId = line.substring(5);
            assertThat(ledger.find("crashed-pool")).hasValueSatisfying(e -> {
                assertThat(e.pid()).isEqualTo(client.pid());
                assertThat(e.clientAlive(Instant.now())).as("alive while it runs").isTrue();
            });
        } finally {
            client.destroyForcibly(); // SIGKILL: no close, no shutdown hook
            assertThat(client.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
        LedgerEntry left = ledger.find("crashed-pool").orElseThrow();
        assertThat(left.clientAlive(Instant.now())).as("dead once killed").isFalse();
        assertThat(Ownership.machineOf(clientId)).isEqualTo(ClientId.machine());

        // Its instances: expired once the lease (2 s) after its last heartbeat has run out, not before.
        OwnedInstance node = new OwnedInstance(new Instance("crashed-pool-node-0", "local", "crashed-pool", 0,
                InstanceStatus.RUNNING, "127.0.0.1", "127.0.0.1", null),
                new Ownership("crashed-pool", clientId, left.started(), null, Duration.ofSeconds(2)), null, "local",
                "local", 0);
        Standing soon = Standing.of(node, ledger, left.heartbeat().plusMillis(500));
        assertThat(soon.client()).isEqualTo(Standing.Client.DEAD);
        assertThat(soon.expired()).isFalse();
        assertThat(soon.why()).contains("lease runs out in");
        Standing later = Standing.of(node, ledger, left.heartbeat().plusSeconds(3));
        assertThat(later.expired()).isTrue();
        assertThat(later.mine()).isTrue();
        assertThat(later.why()).contains("client pid " + left.pid() + " gone, lease ran out");

        // A dead client's entry whose pool has nothing left anywhere listed is pruned; a live one never is.
        try (Ledger.Lease live = ledger.open(entry("live-pool", Duration.ofSeconds(60)))) {
            assertThat(ExpiredSweep.prune(ledger, Map.of("local", Set.of()), null)).containsExactly("crashed-pool");
            assertThat(ledger.entries()).extracting(LedgerEntry::poolId).containsExactly("live-pool");
        }
        assertThat(ledger.entries()).isEmpty();
    }

    @Test
    void ownershipOfAnotherMachineIsNeverCalledExpiredUnlessItsLifetimeEnded() {
        Ledger ledger = new Ledger(dir);
        Instant now = Instant.now();
        Instance i = new Instance("x", "aws", "theirs", 0, InstanceStatus.RUNNING, null, null, null);
        OwnedInstance open = new OwnedInstance(i, new Ownership("theirs", "bob-laptop:42:abcd", now.minusSeconds(3600),
                null, Duration.ofSeconds(60)), null, "p5.48xlarge", "us-east-1", 55.04);
        assertThat(Standing.of(open, ledger, now)).satisfies(s -> {
            assertThat(s.client()).isEqualTo(Standing.Client.UNKNOWN);
            assertThat(s.expired()).isFalse();
            assertThat(s.mine()).isFalse();
            assertThat(s.why()).contains("another machine (bob-laptop)");
        });
        OwnedInstance ended = new OwnedInstance(i, new Ownership("theirs", "bob-laptop:42:abcd", now.minusSeconds(3600),
                now.minusSeconds(60), Duration.ofSeconds(60)), null, "p5.48xlarge", "us-east-1", 55.04);
        assertThat(Standing.of(ended, ledger, now).expired()).isTrue();
        assertThat(Standing.of(new OwnedInstance(i, null, null, "", "", Double.NaN), ledger, now).expired()).isFalse();
    }

    @Test
    void ownershipTagsRoundTripAndTheHomeIsOverridable() {
        Instant now = Instant.ofEpochSecond(1_800_000_000L);
        Ownership o = new Ownership("pool-1", ClientId.current(), now, now.plusSeconds(600), Duration.ofSeconds(60));
        assertThat(o.toTags()).containsEntry(Ownership.POOL, "pool-1").containsEntry(Ownership.EXPIRES, "1800000600")
                .containsEntry(Ownership.LEASE, "60");
        assertThat(Ownership.fromTags(o.toTags())).contains(o);
        assertThat(ClientId.current()).matches("[a-z0-9-]+:\\d+:[0-9a-f]{8}");
        assertThat(ClientId.machine(" Alice ", "lab.example.org")).isEqualTo("alice-lab-example-org");
        assertThat(SkywardHome.dir("/p", Map.of("SKYWARD_HOME", "/e"), "/home/u")).isEqualTo(Path.of("/p"));
        assertThat(SkywardHome.dir(null, Map.of("SKYWARD_HOME", "/e"), "/home/u")).isEqualTo(Path.of("/e"));
        assertThat(SkywardHome.dir(null, Map.of(), "/home/u")).isEqualTo(Path.of("/home/u/.skyward"));
    }
}
