package dev.skyward.bootstrap;

import java.time.Duration;

/**
 * The steps of bringing up one node over SSH, in order. Each has its own deadline
 * ({@link BootstrapSettings#timeout(BootstrapPhase)}) and is reported as a
 * {@link dev.skyward.PoolEvent.NodeProgress} with {@link #label()} as its phase.
 */
public enum BootstrapPhase {
    /** Wait until the host's sshd sends its banner (a cloud machine may still be booting). */
    BANNER("ssh-banner", Duration.ofMinutes(3)),
    /** Key exchange, host key check, login. */
    CONNECT("connect", Duration.ofSeconds(30)),
    /** OS, architecture, home, Java, package manager, cache contents: one round trip. */
    PROBE("probe", Duration.ofSeconds(30)),
    /** Use the Java 17+ found, or install one with the OS package manager. */
    JAVA("java", Duration.ofMinutes(10)),
    /** apt packages, pip packages into a virtualenv, setup commands. */
    IMAGE("image", Duration.ofMinutes(30)),
    /** Agent and classpath jars into the node's content cache. */
    UPLOAD("upload", Duration.ofMinutes(10)),
    /** Start the agent detached and wait for its port file. */
    AGENT("agent", Duration.ofSeconds(60)),
    /** Local port forward to the agent's loopback port. */
    FORWARD("forward", Duration.ofSeconds(15));

    private final String label;
    private final Duration defaultTimeout;

    BootstrapPhase(String label, Duration defaultTimeout) {
        this.label = label;
        this.defaultTimeout = defaultTimeout;
    }

    /** Short name used in progress events and messages. */
    public String label() {
        return label;
    }

    /** The deadline used unless the settings say otherwise. */
    public Duration defaultTimeout() {
        return defaultTimeout;
    }
}
