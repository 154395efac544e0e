package dev.skyward.console;

import dev.skyward.NodeCost;
import dev.skyward.OutputLine;
import dev.skyward.OutputListener;
import dev.skyward.PoolEvent;
import dev.skyward.PoolListener;
import dev.skyward.PoolState;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a pool shows on the console: its progress (offers tried, nodes ready, close and cost) and,
 * by default, what tasks print, each line prefixed with its node. The one place in the library that
 * writes to {@code System.out}.
 */
public final class ConsoleRenderer implements PoolListener {

    private final PrintStream out;

    /** Renders to {@code System.err}, keeping {@code System.out} for the program's own output. */
    public ConsoleRenderer() {
        this(System.err);
    }

    /** @param out where progress goes */
    public ConsoleRenderer(PrintStream out) {
        this.out = out;
    }

    /** Task output to this process's stdout and stderr, prefixed with {@code [node N]}. */
    public static OutputListener taskOutput() {
        return ConsoleRenderer::printLine;
    }

    private static void printLine(OutputLine line) {
        PrintStream target = line.stream() == OutputLine.Stream.STDERR ? System.err : System.out;
        target.println("[node " + line.rank() + "] " + line.text());
    }

    @Override
    public void onEvent(PoolEvent event) {
        String text = render(event);
        if (text != null) {
            out.println("skyward: " + text);
        }
    }

    private static String ordinal(int n) {
        return n + (n % 100 >= 11 && n % 100 <= 13 ? "th" : switch (n % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        });
    }

    static String render(PoolEvent event) {
        if (event instanceof PoolEvent.StateChanged s && s.to() == PoolState.DEGRADED) {
            return "pool " + s.poolId() + " degraded: a node is missing; tasks run on the others";
        }
        if (event instanceof PoolEvent.StateChanged s) {
            return s.to() == PoolState.PROVISIONING ? "pool " + s.poolId() + " provisioning" : null;
        }
        if (event instanceof PoolEvent.OfferChosen o) {
            return "trying " + o.nodes() + " x " + o.offer() + String.format(Locale.ROOT, " ($%.2f/h each)",
                    o.offer().onDemandPrice());
        }
        if (event instanceof PoolEvent.AttemptFailed f) {
            return "  " + f.offer() + " failed: " + f.reason();
        }
        if (event instanceof PoolEvent.NodeProgress p) {
            return "  node " + p.rank() + " " + p.phase() + ": " + p.message();
        }
        if (event instanceof PoolEvent.NodeReady r) {
            return String.format(Locale.ROOT, "  node %d ready at %s (%.2f s)", r.node().rank(), r.node().address(),
                    r.elapsed().toMillis() / 1000.0);
        }
        if (event instanceof PoolEvent.NodeLost l) {
            return "  node " + l.node().rank() + " lost: " + l.reason();
        }
        if (event instanceof PoolEvent.NodeReplacing r) {
            return "  replacing node " + r.rank() + " (" + ordinal(r.attempt()) + " replacement of the rank)";
        }
        if (event instanceof PoolEvent.NodeReplaced r) {
            return String.format(Locale.ROOT, "  node %d replaced at %s, %.2f s after it was lost", r.node().rank(),
                    r.node().address(), r.elapsed().toMillis() / 1000.0);
        }
        if (event instanceof PoolEvent.NodeNotReplaced n) {
            return "  node " + n.rank() + " not replaced: " + n.reason();
        }
        if (event instanceof PoolEvent.Resized r) {
            return String.format(Locale.ROOT, "pool %s %s from %d to %d nodes (%s); now $%.2f/h", r.poolId(),
                    r.to() > r.from() ? "grew" : "shrank", r.from(), r.to(), r.why(), r.hourlyPrice());
        }
        if (event instanceof PoolEvent.NodePreempting p) {
            return "  node " + p.node().rank() + " preempted: the cloud will " + p.action() + " it"
                    + (p.time() != null ? " at " + p.time() : "") + " (spot interruption notice); no new tasks go "
                    + "there, its running tasks may finish";
        }
        if (event instanceof PoolEvent.ClosingAtExit x) {
            return "pool " + x.poolId() + " was never closed: closing it now, at exit. Open pools in "
                    + "try-with-resources (try (var pool = ComputePool.builder()...build()) { ... }) or call close()";
        }
        if (event instanceof PoolEvent.ExpiredPoolsFound x) {
            return expired(x);
        }
        if (event instanceof PoolEvent.ExpiredPoolTerminated t) {
            return t.error() == null ? "  expired pool " + t.expiredPoolId() + " on " + t.provider() + " terminated"
                    : "  expired pool " + t.expiredPoolId() + " on " + t.provider() + " could not be terminated: "
                            + t.error();
        }
        if (event instanceof PoolEvent.Closed c) {
            return String.format(Locale.ROOT, "pool %s closed after %.1f s; estimated cost $%.4f ($%.2f/h)", c.poolId(),
                    c.uptime().toMillis() / 1000.0, c.estimatedCost(), c.hourlyPrice()) + bill(c);
        }
        return null;
    }

    /** One line per expired pool: where, how many instances, since when, what they cost. */
    private static String expired(PoolEvent.ExpiredPoolsFound x) {
        java.util.Map<String, java.util.List<dev.skyward.spi.OwnedInstance>> byPool = new java.util.TreeMap<>();
        x.instances().forEach(i -> byPool.computeIfAbsent(i.instance().provider() + " " + i.poolId(),
                k -> new java.util.ArrayList<>()).add(i));
        StringBuilder b = new StringBuilder("found ").append(byPool.size()).append(" expired pool")
                .append(byPool.size() == 1 ? "" : "s").append(" of yours still holding instances")
                .append(x.terminating() ? "; terminating them (downExpired)" : " (still billed?)").append(':');
        java.time.Instant now = java.time.Instant.now();
        byPool.forEach((key, list) -> {
            double hourly = list.stream().mapToDouble(dev.skyward.spi.OwnedInstance::hourlyPrice).sum();
            java.time.Instant since = list.stream().map(dev.skyward.spi.OwnedInstance::since)
                    .filter(java.util.Objects::nonNull).min(java.util.Comparator.naturalOrder()).orElse(null);
            String[] pp = key.split(" ", 2);
            b.append("\n  ").append(pp[1]).append(" on ").append(pp[0]).append(": ").append(list.size())
                    .append(list.size() == 1 ? " instance" : " instances")
                    .append(since == null ? "" : ", up " + dev.skyward.guard.Standing.human(
                            java.time.Duration.between(since, now)))
                    .append(Double.isNaN(hourly) ? "" : String.format(Locale.ROOT, ", $%.2f/h", hourly));
        });
        if (!x.terminating()) {
            b.append("\n  terminate them with `skyward down --expired`, or build with .downExpired(true)");
        }
        return b.toString();
    }

    /** Per provider: what its machines were, the price paid per hour each, and their cost ("" when free). */
    private static String bill(PoolEvent.Closed c) {
        if (c.nodes().stream().allMatch(n -> n.hourlyPrice() == 0)) {
            return "";
        }
        Map<String, List<NodeCost>> byProvider = new LinkedHashMap<>();
        c.nodes().forEach(n -> byProvider.computeIfAbsent(n.provider(), k -> new ArrayList<>()).add(n));
        StringBuilder b = new StringBuilder();
        byProvider.forEach((provider, nodes) -> {
            Map<String, Integer> kinds = new LinkedHashMap<>();
            nodes.forEach(n -> kinds.merge(String.format(Locale.ROOT, "%s %s at $%.2f/h", n.instanceType(),
                    n.spot() ? "spot" : "on-demand", n.hourlyPrice()), 1, Integer::sum));
            b.append(b.length() == 0 ? " = " : " + ").append(provider).append(' ');
            kinds.forEach((k, count) -> b.append(count).append(" x ").append(k).append(", "));
            b.append(String.format(Locale.ROOT, "$%.4f", nodes.stream().mapToDouble(NodeCost::estimatedCost).sum()));
        });
        return b.toString();
    }
}
