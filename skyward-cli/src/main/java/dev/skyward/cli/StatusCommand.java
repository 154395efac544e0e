package dev.skyward.cli;

import dev.skyward.guard.LedgerEntry;
import dev.skyward.guard.Standing;
import dev.skyward.spi.OwnedInstance;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code skyward status}: every Skyward instance on every configured provider, whatever pool or client
 * made it, with its age, hourly price, and whether its client is alive (from this machine's ledger and
 * the instance's tags); then the pools in this machine's ledger.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Every live Skyward pool and instance on every configured provider: age, hourly price, "
                + "whether its client is alive, whether it is expired.")
final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-p", "--provider"}, split = ",", paramLabel = "PROVIDER",
            description = "Only these providers (default: every provider whose credentials are found).")
    List<String> providers = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "The longest one provider's listing may take (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Fleet fleet = Fleet.list(providers, Duration.ofSeconds(timeoutSeconds));
        out.println("providers: " + (fleet.providers.isEmpty() ? "none configured (run `skyward check`)"
                : String.join(", ", fleet.providers.keySet())));
        if (fleet.rows.isEmpty()) {
            out.println("no Skyward instances found");
        } else {
            Table t = new Table("POOL", "PROVIDER", "INSTANCE", "TYPE", "REGION", "STATUS", "AGE>", "$/H>", "CLIENT",
                    "EXPIRED", "WHY");
            double total = 0;
            int expired = 0;
            for (Fleet.Row r : fleet.rows) {
                OwnedInstance i = r.instance();
                Standing s = r.standing();
                String age = i.since() == null ? "?" : Standing.human(Duration.between(i.since(), fleet.now));
                t.row(i.poolId(), r.provider().name(), i.instance().id(), i.instanceType(), i.region(),
                        i.instance().status().name().toLowerCase(Locale.ROOT), age, Fleet.price(i.hourlyPrice()),
                        client(s), s.expired() ? "yes" : "no", s.why());
                total += Double.isNaN(i.hourlyPrice()) ? 0 : i.hourlyPrice();
                expired += s.expired() ? 1 : 0;
            }
            t.print(out);
            out.println(String.format(Locale.ROOT, "%d instance%s in %d pool%s, $%.2f/h%s", fleet.rows.size(),
                    fleet.rows.size() == 1 ? "" : "s", fleet.pools().size(), fleet.pools().size() == 1 ? "" : "s",
                    total, expired == 0 ? "" : "; " + expired + " expired: `skyward down --expired` terminates them"));
        }
        ledger(out, fleet);
        fleet.skipped.forEach((name, why) -> out.println("note: " + name + " not listed: " + why));
        fleet.failures.forEach((name, why) -> spec.commandLine().getErr().println("skyward: could not list " + name
                + ": " + why));
        out.flush();
        spec.commandLine().getErr().flush();
        return fleet.failures.isEmpty() ? 0 : 1;
    }

    private static String client(Standing s) {
        return switch (s.client()) {
            case ALIVE -> "alive";
            case DEAD -> "dead";
            case UNKNOWN -> "unknown";
        };
    }

    /** The open pools this machine's ledger knows, and whether their clients are alive. */
    private static void ledger(PrintWriter out, Fleet fleet) {
        if (fleet.ledger.isEmpty()) {
            return;
        }
        out.println();
        out.println("open pools in this machine's ledger:");
        Table t = new Table("POOL", "PROVIDERS", "CLIENT", "PID>", "AGE>", "HEARTBEAT>", "INSTANCES FOUND>");
        Set<String> found = fleet.pools().keySet();
        for (LedgerEntry e : fleet.ledger) {
            boolean alive = e.clientAlive(fleet.now);
            long n = fleet.rows.stream().filter(r -> r.instance().poolId().equals(e.poolId())).count();
            t.row(e.poolId(), String.join(",", e.providers()), alive ? "alive" : "dead", e.pid(),
                    e.started() == null ? "?" : Standing.human(Duration.between(e.started(), fleet.now)),
                    e.heartbeat() == null ? "?" : Standing.human(Duration.between(e.heartbeat(), fleet.now)) + " ago",
                    found.contains(e.poolId()) ? Long.toString(n) : "0");
        }
        t.print(out);
    }
}
