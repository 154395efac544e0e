package dev.skyward.guard;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A client that opens a pool's ledger entry in the ledger directory given, says so, and waits to be
 * killed. Arguments: ledger directory, pool id.
 */
public final class LedgerClientMain {

    private LedgerClientMain() {
    }

    public static void main(String[] args) throws Exception {
        Ledger ledger = new Ledger(Path.of(args[0]));
        Instant now = Instant.now();
        ledger.open(new LedgerEntry(args[1], "crash", List.of("local"), ClientId.current(),
                ProcessHandle.current().pid(), ProcessHandle.current().info().startInstant().orElse(null), now, null,
                Duration.ofSeconds(2), now, List.of()));
        System.out.println("OPEN " + ClientId.current());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
