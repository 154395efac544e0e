package dev.skyward.sky;

import dev.skyward.Accelerator;
import dev.skyward.Image;
import dev.skyward.bootstrap.PoolKey;
import dev.skyward.guard.ClientId;
import dev.skyward.guard.Ledger;
import dev.skyward.guard.LedgerEntry;
import dev.skyward.spi.LaunchRequest;
import dev.skyward.spi.Offer;
import dev.skyward.spi.OfferQuery;
import dev.skyward.spi.Ownership;
import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderDescriptors;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A client that does what a pool's build does up to its instances — its ledger entry, then one
 * instance per named provider (found by name, configured from the environment only, as the CLI is),
 * tagged with its ownership and a lease of a few seconds — says its pool id, and waits to be killed:
 * a client killed right after provisioning, on several clouds at once. Arguments: pool id, lease
 * seconds, provider names.
 */
public final class LaunchingClient {

    private LaunchingClient() {
    }

    public static void main(String[] args) throws Exception {
        String poolId = args[0];
        Duration lease = Duration.ofSeconds(Long.parseLong(args[1]));
        List<String> names = List.of(args).subList(2, args.length);
        Instant now = Instant.now();
        Ownership ownership = new Ownership(poolId, ClientId.current(), now, null, lease);
        Ledger.Lease entry = Ledger.standard().open(new LedgerEntry(poolId, "sky", names, ownership.clientId(),
                ProcessHandle.current().pid(), ProcessHandle.current().info().startInstant().orElse(null), now, null,
                lease, now, List.of()));
        List<String> nodes = new ArrayList<>();
        String key = PoolKey.generate(poolId).publicKey();
        for (String name : names) {
            Provider p = ProviderDescriptors.find(name).create();
            Offer offer = p.offers(new OfferQuery(Accelerator.parse("H100"), 1, dev.skyward.Allocation.ON_DEMAND, 0, 0,
                            List.of(), 0)).stream()
                    .filter(o -> o.accelerator().name().equals("H100") && o.accelerator().count() == 1)
                    .findFirst().orElseThrow();
            p.launch(new LaunchRequest(poolId, offer, 1, false, Image.DEFAULT, key, ownership.toTags()))
                    .forEach(i -> nodes.add(name + "/" + i.id()));
        }
        entry.nodes(nodes);
        System.out.println("POOL " + poolId);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
