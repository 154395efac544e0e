package dev.skyward.bootstrap;

import dev.skyward.Image;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How {@link SshAgentLauncher} brings nodes up: the image, extra jars to cache on the node, phase
 * deadlines, where to look for Java, the reconnect window, and an optional command the agent runs
 * when its dead-man's switch fires.
 *
 * <pre>{@code
 * BootstrapSettings s = BootstrapSettings.builder()
 *         .image(spec.image())
 *         .timeout(BootstrapPhase.BANNER, Duration.ofSeconds(10))   // existing machines: fail fast
 *         .build();
 * }</pre>
 */
public final class BootstrapSettings {

    /** Where the probe looks for {@code java}, in order; shell words, globs allowed. */
    public static final List<String> DEFAULT_JAVA_CANDIDATES = List.of(
            "\"${JAVA_HOME:-/nonexistent}/bin/java\"", "\"$(command -v java)\"", "/usr/lib/jvm/*/bin/java");

    private final Image image;
    private final List<Path> classpath;
    private final Map<BootstrapPhase, Duration> timeouts;
    private final List<String> javaCandidates;
    private final Duration reconnectWindow;
    private final String onExpire;

    private BootstrapSettings(Builder b) {
        this.image = b.image;
        this.classpath = List.copyOf(b.classpath);
        this.timeouts = Map.copyOf(b.timeouts);
        this.javaCandidates = List.copyOf(b.javaCandidates);
        this.reconnectWindow = b.reconnectWindow;
        this.onExpire = b.onExpire;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** What nodes need installed. */
    public Image image() {
        return image;
    }

    /** Jars uploaded into each node's cache next to the agent (by content hash). */
    public List<Path> classpath() {
        return classpath;
    }

    /** The deadline of one phase. */
    public Duration timeout(BootstrapPhase phase) {
        return timeouts.getOrDefault(phase, phase.defaultTimeout());
    }

    /** Where to look for java on nodes. */
    public List<String> javaCandidates() {
        return javaCandidates;
    }

    /** How long a dropped connection is retried before the node counts as lost. */
    public Duration reconnectWindow() {
        return reconnectWindow;
    }

    /** Shell command the agent runs when its heartbeat grace or TTL expires, or {@code null}. */
    public String onExpire() {
        return onExpire;
    }

    /** Builds {@link BootstrapSettings}. */
    public static final class Builder {
        private Image image = Image.DEFAULT;
        private final List<Path> classpath = new ArrayList<>();
        private final Map<BootstrapPhase, Duration> timeouts = new EnumMap<>(BootstrapPhase.class);
        private List<String> javaCandidates = DEFAULT_JAVA_CANDIDATES;
        private Duration reconnectWindow = Duration.ofSeconds(30);
        private String onExpire;

        private Builder() {
        }

        /** What nodes need installed. */
        public Builder image(Image image) {
            this.image = Objects.requireNonNull(image, "image");
            return this;
        }

        /** Adds jars to upload next to the agent. */
        public Builder classpath(List<Path> jars) {
            classpath.addAll(jars);
            return this;
        }

        /** Overrides one phase's deadline. */
        public Builder timeout(BootstrapPhase phase, Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException(phase.label() + " timeout must be positive, was " + timeout);
            }
            timeouts.put(phase, timeout);
            return this;
        }

        /** Where to look for java on nodes (shell words, globs allowed). */
        public Builder javaCandidates(List<String> candidates) {
            this.javaCandidates = List.copyOf(candidates);
            return this;
        }

        /** How long a dropped SSH connection is retried; keep it below the heartbeat grace. */
        public Builder reconnectWindow(Duration window) {
            this.reconnectWindow = Objects.requireNonNull(window, "window");
            return this;
        }

        /**
         * A command the agent runs when its dead-man's switch fires (heartbeats silent past the grace,
         * or TTL reached), after it stopped its tasks: e.g. {@code "sudo shutdown -h now"} on a cloud
         * machine launched with shutdown behaviour terminate. Passed as {@code --on-expire CMD}.
         */
        public Builder onExpire(String command) {
            this.onExpire = command;
            return this;
        }

        /** The settings. */
        public BootstrapSettings build() {
            return new BootstrapSettings(this);
        }
    }
}
