package dev.skyward.cli;

import dev.skyward.guard.ExpiredSweep;
import dev.skyward.guard.Ledger;
import dev.skyward.spi.Instance;
import dev.skyward.spi.Provider;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code skyward down POOL...}, {@code skyward down --all}, {@code skyward down --expired}: terminates
 * pools on every configured provider that has instances of them, then verifies they are gone (describe
 * until empty, bounded), and removes their ledger entries. Exit 0 when everything asked for is gone, 1
 * when something is left, could not be listed, or a named pool was not found; 2 for bad usage.
 */
@Command(name = "down", mixinStandardHelpOptions = true,
        description = "Terminate Skyward pools (their instances, keys, security groups) and verify they are gone.")
final class DownCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    static final class Which {
        @Parameters(paramLabel = "POOL", arity = "1..*", description = "Pool ids, as `skyward status` shows them.")
        List<String> pools;

        @Option(names = "--all", required = true,
                description = "Every Skyward pool on the configured providers, whoever made it.")
        boolean all;

        @Option(names = "--expired", required = true,
                description = "Pools past their lifetime, and this machine's pools whose client is gone and whose "
                        + "lease ran out.")
        boolean expired;
    }

    @Option(names = {"-p", "--provider"}, split = ",", paramLabel = "PROVIDER",
            description = "Only these providers (default: every provider whose credentials are found).")
    List<String> providers = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "How long to wait for a pool to be gone (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Fleet fleet = Fleet.list(providers, Duration.ofSeconds(60));
        fleet.failures.forEach((name, why) -> err.println("skyward: could not list " + name + ": " + why));
        int code = fleet.failures.isEmpty() ? 0 : 1;

        // Which pools, on which providers.
        Map<String, Set<String>> targets = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Fleet.Row r : fleet.rows) {
            String pool = r.instance().poolId();
            boolean chosen = which.all || (which.expired && r.standing().expired())
                    || (which.pools != null && which.pools.contains(pool));
            if (chosen) {
                targets.computeIfAbsent(pool, k -> new LinkedHashSet<>()).add(r.provider().name());
                counts.merge(pool + " " + r.provider().name(), 1, Integer::sum);
            }
        }
        if (which.pools != null) {
            for (String pool : which.pools) {
                if (!targets.containsKey(pool)) {
                    // No instance left, but the ledger may know where its keys or groups are.
                    Set<String> where = new LinkedHashSet<>();
                    fleet.ledger.stream().filter(e -> e.poolId().equals(pool)).findFirst()
                            .ifPresent(e -> e.providers().stream().filter(fleet.providers::containsKey).forEach(where::add));
                    if (where.isEmpty()) {
                        err.println("skyward: pool " + pool + ": no instance found on "
                                + (fleet.providers.isEmpty() ? "any provider" : String.join(", ", fleet.providers.keySet()))
                                + " (see `skyward status`)");
                        code = 1;
                    } else {
                        targets.put(pool, where);
                    }
                }
            }
        }
        if (targets.isEmpty()) {
            out.println(which.expired ? "no expired pools" : which.all ? "no Skyward pools" : "nothing to terminate");
        }

        // Terminate in parallel, then verify each is gone.
        ExecutorService workers = Executors.newCachedThreadPool(dev.skyward.wire.thread.DaemonThreads.named("skyward-down"));
        try {
            Map<String, Future<String>> jobs = new LinkedHashMap<>();
            targets.forEach((pool, names) -> names.forEach(name -> {
                Provider p = fleet.providers.get(name);
                int n = counts.getOrDefault(pool + " " + name, 0);
                out.println("terminating " + pool + " on " + name + " (" + n + " instance" + (n == 1 ? "" : "s") + ")");
                jobs.put(pool + " " + name, workers.submit(() -> down(p, pool)));
            }));
            out.flush();
            Map<String, Boolean> gone = new LinkedHashMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds + 30L);
            for (var e : jobs.entrySet()) {
                String[] key = e.getKey().split(" ", 2);
                String problem;
                try {
                    problem = e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException x) {
                    problem = String.valueOf(x.getCause().getMessage());
                } catch (TimeoutException x) {
                    problem = "still terminating after " + timeoutSeconds + " s";
                }
                if (problem == null) {
                    out.println("  " + key[0] + " on " + key[1] + ": gone (verified)");
                } else {
                    err.println("skyward: " + key[0] + " on " + key[1] + ": NOT gone: " + problem);
                    code = 1;
                }
                gone.merge(key[0], problem == null, Boolean::logicalAnd);
            }
            Ledger ledger = Ledger.standard();
            gone.forEach((pool, ok) -> {
                if (ok) {
                    ledger.remove(pool);
                }
            });
            if (which.expired || which.all) {
                // Entries of dead clients whose pools left nothing anywhere listed: nothing to wait for.
                Map<String, Set<String>> listed = fleet.listedPools();
                targets.forEach((pool, names) -> names.forEach(n -> listed.getOrDefault(n, new LinkedHashSet<>()).remove(pool)));
                for (String pool : ExpiredSweep.prune(ledger, listed, null)) {
                    out.println("  removed the ledger entry of " + pool + " (client gone, nothing left)");
                }
            }
        } finally {
            workers.shutdownNow();
        }
        out.flush();
        err.flush();
        return code;
    }

    /** Terminates, then describes until empty (bounded); {@code null} when gone, else what is left. */
    private String down(Provider p, String pool) throws InterruptedException {
        p.terminate(pool);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        List<Instance> left = p.describe(pool);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            left = p.describe(pool);
        }
        return left.isEmpty() ? null : left.size() + " instance(s) still there: " + left.stream()
                .map(i -> i.id() + " " + i.status().name().toLowerCase(Locale.ROOT)).toList();
    }
}
