package dev.skyward.spi;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the engine reaches one of a provider's instances and starts its agent there: which key logs
 * in, which host keys to trust, how long to wait for the SSH banner, and what the node runs when
 * its dead-man's switch fires. A provider returns it from {@link Provider#access(Instance)}; the
 * engine never guesses it from the provider's type.
 *
 * <pre>{@code
 * // a cloud: log in with the pool's ephemeral key; stop billing when the client disappears
 * public NodeAccess access(Instance instance) {
 *     return NodeAccess.poolKey().withOnExpire("sudo shutdown -h now");
 * }
 * // machines you own: your key and known_hosts, and fail fast when a host does not answer
 * return NodeAccess.userKey(Path.of("/home/me/.ssh/id_ed25519"), Path.of("/home/me/.ssh/known_hosts"))
 *         .withBannerWait(Duration.ofSeconds(10));
 * }</pre>
 *
 * <p>The login user and port come from {@link Instance#ssh()}.
 */
public final class NodeAccess {

    /** Where the login key comes from. */
    public enum Login {
        /** The pool's ephemeral ed25519 key; its public half is {@link LaunchRequest#sshPublicKey()}. */
        POOL_KEY,
        /** A private key file of the user's (no passphrase). */
        KEY_FILE,
        /** The keys of a running ssh-agent. */
        SSH_AGENT,
        /** No login: the engine starts the agent as a process on this machine (the local provider). */
        LOCAL_PROCESS
    }

    private static final Duration DEFAULT_BANNER_WAIT = Duration.ofMinutes(5);

    private final Login login;
    private final Path keyFile;
    private final Path agentSocket;
    private final Path knownHosts;
    private final List<String> knownHostKeys;
    private final Duration bannerWait;
    private final String onExpire;
    private final Path workDir;
    private final URI spotNotice;

    private NodeAccess(Login login, Path keyFile, Path agentSocket, Path knownHosts, List<String> knownHostKeys,
            Duration bannerWait, String onExpire, Path workDir, URI spotNotice) {
        this.login = login;
        this.keyFile = keyFile;
        this.agentSocket = agentSocket;
        this.knownHosts = knownHosts;
        this.knownHostKeys = List.copyOf(knownHostKeys);
        this.bannerWait = bannerWait;
        this.onExpire = onExpire;
        this.workDir = workDir;
        this.spotNotice = spotNotice;
    }

    /**
     * Log in with the pool's ephemeral key (which the provider installed on the machine from
     * {@link LaunchRequest#sshPublicKey()}); the host key is pinned on first use for the pool's life,
     * unless {@link #withKnownHostKeys} names the keys to expect. The default of {@link Provider#access}.
     *
     * @return the access
     */
    public static NodeAccess poolKey() {
        return new NodeAccess(Login.POOL_KEY, null, null, null, List.of(), DEFAULT_BANNER_WAIT, null, null, null);
    }

    /**
     * Log in with the user's own private key file; host keys are checked against a known_hosts file.
     *
     * @param privateKey an OpenSSH or PEM private key without passphrase
     * @param knownHosts the known_hosts file the host keys must be in
     * @return the access
     */
    public static NodeAccess userKey(Path privateKey, Path knownHosts) {
        return new NodeAccess(Login.KEY_FILE, Objects.requireNonNull(privateKey, "privateKey"), null,
                Objects.requireNonNull(knownHosts, "knownHosts"), List.of(), DEFAULT_BANNER_WAIT, null, null, null);
    }

    /**
     * Log in with the keys of a running ssh-agent; host keys are checked against a known_hosts file.
     *
     * @param socket the agent's socket, usually {@code $SSH_AUTH_SOCK}
     * @param knownHosts the known_hosts file the host keys must be in
     * @return the access
     */
    public static NodeAccess sshAgent(Path socket, Path knownHosts) {
        return new NodeAccess(Login.SSH_AGENT, null, Objects.requireNonNull(socket, "socket"),
                Objects.requireNonNull(knownHosts, "knownHosts"), List.of(), DEFAULT_BANNER_WAIT, null, null, null);
    }

    /**
     * No login: the engine starts the node's agent as a child process of this JVM (the local provider).
     *
     * @param workDir the node's working directory on this machine
     * @return the access
     */
    public static NodeAccess localProcess(Path workDir) {
        return new NodeAccess(Login.LOCAL_PROCESS, null, null, null, List.of(), Duration.ZERO, null,
                Objects.requireNonNull(workDir, "workDir"), null);
    }

    /**
     * The host keys the machine will present, when the provider knows them before the first login
     * (e.g. read from the instance's console output); then no key is trusted on first use.
     *
     * @param openSshKeys public host keys, {@code "ssh-ed25519 AAAA..."} (a trailing comment is ignored)
     * @return a copy with the keys
     */
    public NodeAccess withKnownHostKeys(List<String> openSshKeys) {
        requireSsh("known host keys");
        for (String k : openSshKeys) {
            if (k == null || k.trim().split("\\s+").length < 2) {
                throw new IllegalArgumentException("not an OpenSSH public key line: '" + k
                        + "'; expected 'TYPE BASE64 [comment]', e.g. 'ssh-ed25519 AAAA...'");
            }
        }
        return new NodeAccess(login, keyFile, agentSocket, knownHosts, openSshKeys, bannerWait, onExpire, workDir,
                spotNotice);
    }

    /**
     * How long to wait for the machine's SSH server to answer: minutes for a cloud machine still
     * booting (default 5 min), seconds for a machine that should be up already.
     *
     * @param wait a positive duration
     * @return a copy with the wait
     */
    public NodeAccess withBannerWait(Duration wait) {
        requireSsh("a banner wait");
        if (wait == null || wait.isNegative() || wait.isZero()) {
            throw new IllegalArgumentException("banner wait must be positive, was " + wait);
        }
        return new NodeAccess(login, keyFile, agentSocket, knownHosts, knownHostKeys, wait, onExpire, workDir,
                spotNotice);
    }

    /**
     * A shell command the node's agent runs when its dead-man's switch fires (the client's heartbeats
     * stopped for longer than the pool's heartbeat grace, or the node reached its maximum lifetime),
     * after it has stopped its tasks: what keeps a forgotten machine from being billed, e.g.
     * {@code "sudo shutdown -h now"} on an instance whose shutdown behaviour is terminate.
     *
     * @param command a {@code /bin/sh -c} command line, or {@code null} for none
     * @return a copy with the command
     */
    public NodeAccess withOnExpire(String command) {
        return new NodeAccess(login, keyFile, agentSocket, knownHosts, knownHostKeys, bannerWait,
                command == null || command.isBlank() ? null : command, workDir, spotNotice);
    }

    /**
     * Makes the node's agent watch an EC2 instance metadata service (IMDSv2) for a spot interruption
     * notice, and report it the moment it appears (AWS posts it two minutes before it takes the
     * instance). The pool then sends no new tasks to the node, lets the tasks running there finish,
     * and tells its listeners ({@link dev.skyward.PoolEvent.NodePreempting}). For spot instances of a
     * cloud that posts such a notice; elsewhere the loss of the node is detected when it happens.
     *
     * <pre>{@code
     * // a provider, for its spot instances
     * return NodeAccess.poolKey().withOnExpire("sudo shutdown -h now")
     *         .withSpotNotice(URI.create("http://169.254.169.254"));
     * }</pre>
     *
     * @param metadataEndpoint the metadata service as the node reaches it, {@code http://169.254.169.254}
     *     on EC2 ({@code http://[fd00:ec2::254]} on IPv6-only subnets); a path is kept as a prefix.
     *     {@code null} for no watching
     * @return a copy that watches there
     */
    public NodeAccess withSpotNotice(URI metadataEndpoint) {
        if (metadataEndpoint != null && (!"http".equals(metadataEndpoint.getScheme())
                || metadataEndpoint.getHost() == null)) {
            throw new IllegalArgumentException("the metadata endpoint must be an http:// address such as "
                    + "http://169.254.169.254, was " + metadataEndpoint);
        }
        return new NodeAccess(login, keyFile, agentSocket, knownHosts, knownHostKeys, bannerWait, onExpire, workDir,
                metadataEndpoint);
    }

    private void requireSsh(String what) {
        if (login == Login.LOCAL_PROCESS) {
            throw new IllegalStateException(what + " only applies to nodes reached over SSH, not local processes");
        }
    }

    /** Where the login key comes from. */
    public Login login() {
        return login;
    }

    /** The private key file for {@link Login#KEY_FILE}, else {@code null}. */
    public Path keyFile() {
        return keyFile;
    }

    /** The ssh-agent socket for {@link Login#SSH_AGENT}, else {@code null}. */
    public Path agentSocket() {
        return agentSocket;
    }

    /** The known_hosts file host keys are checked against, or {@code null} (pinned on first use, or known keys). */
    public Path knownHosts() {
        return knownHosts;
    }

    /** Host keys known in advance; empty when none. */
    public List<String> knownHostKeys() {
        return knownHostKeys;
    }

    /** How long to wait for the SSH banner. */
    public Duration bannerWait() {
        return bannerWait;
    }

    /** The command run on expiry, or {@code null}. */
    public String onExpire() {
        return onExpire;
    }

    /** The node's working directory for {@link Login#LOCAL_PROCESS}, else {@code null}. */
    public Path workDir() {
        return workDir;
    }

    /** The metadata service the agent watches for a spot interruption notice, or {@code null} for none. */
    public URI spotNotice() {
        return spotNotice;
    }

    @Override
    public String toString() {
        return "NodeAccess[" + login + (keyFile != null ? " " + keyFile : "") + (agentSocket != null ? " " + agentSocket : "")
                + (knownHosts != null ? ", known_hosts " + knownHosts : "")
                + (knownHostKeys.isEmpty() ? "" : ", " + knownHostKeys.size() + " known host keys")
                + (onExpire != null ? ", on expiry: " + onExpire : "")
                + (spotNotice != null ? ", spot notice from " + spotNotice : "") + "]";
    }
}
