package dev.skyward.console;

import dev.skyward.OutputLine;
import dev.skyward.OutputListener;
import dev.skyward.PoolEvent;
import dev.skyward.PoolListener;
import dev.skyward.PoolState;
import java.io.PrintStream;
import java.util.Locale;

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

    static String render(PoolEvent event) {
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
        if (event instanceof PoolEvent.NodePreempting p) {
            return "  node " + p.node().rank() + " preempted: the cloud will " + p.action() + " it"
                    + (p.time() != null ? " at " + p.time() : "") + " (spot interruption notice); no new tasks go "
                    + "there, its running tasks may finish";
        }
        if (event instanceof PoolEvent.ClosingAtExit x) {
            return "pool " + x.poolId() + " was never closed: closing it now, at exit. Open pools in "
                    + "try-with-resources (try (var pool = ComputePool.builder()...build()) { ... }) or call close()";
        }
        if (event instanceof PoolEvent.Closed c) {
            return String.format(Locale.ROOT, "pool %s closed after %.1f s; estimated cost $%.4f ($%.2f/h)", c.poolId(),
                    c.uptime().toMillis() / 1000.0, c.estimatedCost(), c.hourlyPrice());
        }
        return null;
    }
}
