package dev.skyward.bootstrap;

import java.time.Duration;
import java.util.Map;

/**
 * What bringing up one node took.
 *
 * @param target the node
 * @param bytesUploaded bytes sent into the node's cache (0 when everything was cached)
 * @param filesUploaded jars sent
 * @param filesCached jars already there
 * @param java the runtime the agent runs on
 * @param phases time spent per phase
 * @param total from the first banner probe to the open forward
 */
public record BootstrapReport(String target, long bytesUploaded, int filesUploaded, int filesCached, JavaRuntime java,
        Map<BootstrapPhase, Duration> phases, Duration total) {

    /** Copies. */
    public BootstrapReport {
        phases = Map.copyOf(phases);
    }
}
