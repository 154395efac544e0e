package dev.skyward.pool;

import dev.skyward.HealthCheck;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the user's {@link HealthCheck} on every ready node, one check at a time per node; a node that
 * fails it the configured number of times in a row is marked lost, and so replaced.
 */
final class HealthChecks {

    private static final Logger LOG = LoggerFactory.getLogger(HealthChecks.class);

    private final HealthCheck check;
    private final Ranks ranks;
    private final Function<NodeConnection, CompletableFuture<Boolean>> run;
    private final Set<NodeConnection> running = ConcurrentHashMap.newKeySet();
    private final Map<NodeConnection, Integer> failures = new ConcurrentHashMap<>();

    /** @param run sends the check to one node, with no retry, and gives its answer */
    HealthChecks(HealthCheck check, Ranks ranks, Function<NodeConnection, CompletableFuture<Boolean>> run) {
        this.check = check;
        this.ranks = ranks;
        this.run = run;
    }

    void start(ScheduledExecutorService timer) {
        long every = check.interval().toMillis();
        timer.scheduleWithFixedDelay(this::round, every, every, TimeUnit.MILLISECONDS);
    }

    private void round() {
        for (NodeConnection node : ranks.ready()) {
            if (node.isLost() || !running.add(node)) {
                continue; // the previous check is still waiting or running: no verdict yet
            }
            CompletableFuture<Boolean> answer;
            try {
                answer = run.apply(node);
            } catch (RuntimeException e) {
                running.remove(node);
                LOG.debug("health check not sent to node {}: {}", node.rank(), e.toString());
                continue;
            }
            answer.whenComplete((ok, error) -> {
                running.remove(node);
                if (node.isLost()) {
                    failures.remove(node);
                    return;
                }
                if (error == null && Boolean.TRUE.equals(ok)) {
                    failures.remove(node);
                    return;
                }
                String what = error != null ? "threw " + error.getMessage() : "returned " + ok;
                int n = failures.merge(node, 1, Integer::sum);
                LOG.warn("node {} failed its health check ({} of {} in a row): {}", node.rank(), n, check.failures(), what);
                if (n >= check.failures()) {
                    failures.remove(node);
                    node.markLost("failed its health check " + n + " times in a row (the last one " + what + ")");
                }
            });
        }
    }
}
