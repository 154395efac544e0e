package dev.skyward.bootstrap;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.method.AuthMethod;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens authenticated SSH connections: waits for the banner, checks the host key with the target's
 * policy, logs in with its key. Failures become {@link BootstrapException}s that say what to do;
 * only an unreachable host is retried (until the banner deadline), a refused key or host key is not.
 *
 * <pre>{@code
 * try (SshSession s = SshConnector.connect(target, Duration.ofSeconds(30), Duration.ofSeconds(30))) {
 *     ExecResult r = s.exec("uname -m", Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public final class SshConnector {

    private static final Logger log = LoggerFactory.getLogger(SshConnector.class);
    /** Keep-alives detect a dead peer within about interval x 5 (SSHJ's default max misses). */
    static final int KEEP_ALIVE_SECONDS = 3;

    /** Building SSHJ's config initialises its crypto factories (tens of ms); every connection shares one. */
    private static final DefaultConfig CONFIG = newConfig();

    private SshConnector() {
    }

    private static DefaultConfig newConfig() {
        DefaultConfig c = new DefaultConfig();
        c.setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
        return c;
    }

    /**
     * Waits for the banner, then connects and logs in.
     *
     * @param target where and how
     * @param bannerTimeout how long the host may be unreachable (booting) before giving up
     * @param connectTimeout deadline for key exchange and login
     * @return a logged-in session; close it
     * @throws BootstrapException with what to do
     */
    public static SshSession connect(SshTarget target, Duration bannerTimeout, Duration connectTimeout)
            throws BootstrapException {
        awaitBanner(target, bannerTimeout);
        return login(target, connectTimeout);
    }

    /**
     * Waits until the host answers with an SSH banner: connection refused or timed out is retried
     * (a cloud machine may still be booting) until the deadline.
     *
     * @param target the host
     * @param timeout how long to keep trying
     * @throws BootstrapException when it never answered
     */
    public static void awaitBanner(SshTarget target, Duration timeout) throws BootstrapException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoffMs = 50;
        IOException last = null;
        do {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(target.host(), target.port()), 2000);
                s.setSoTimeout(5000);
                String line = readLine(s.getInputStream());
                if (line.startsWith("SSH-")) {
                    return;
                }
                last = new IOException("port " + target.port() + " answered '" + line.strip()
                        + "', which is not an SSH server");
            } catch (IOException e) {
                last = e;
            }
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BootstrapException(BootstrapPhase.BANNER, target.toString(), "interrupted", e);
            }
            backoffMs = Math.min(1000, backoffMs * 2);
        } while (System.nanoTime() < deadline);
        throw new BootstrapException(BootstrapPhase.BANNER, target.toString(), "host unreachable for "
                + timeout.toSeconds() + " s (" + last + "). Check the address and port, that sshd runs on the host, "
                + "and that no firewall or security group blocks TCP port " + target.port(), last);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while (sb.length() < 255 && (c = in.read()) != -1 && c != '\n') {
            sb.append((char) c);
        }
        return sb.toString();
    }

    /**
     * Key exchange, host key check and login, without waiting for the banner.
     *
     * @param target where and how
     * @param timeout deadline for each step
     * @return a logged-in session
     * @throws BootstrapException with what to do
     */
    public static SshSession login(SshTarget target, Duration timeout) throws BootstrapException {
        String who = target.toString();
        HostKeyCheck check;
        try {
            check = target.credentials().hostKeys().newCheck(target.host(), target.port());
        } catch (UncheckedIOException e) {
            throw new BootstrapException(BootstrapPhase.CONNECT, who, e.getCause().getMessage(), e.getCause());
        }
        SSHClient client = new SSHClient(CONFIG);
        client.addHostKeyVerifier(check);
        client.setConnectTimeout((int) timeout.toMillis());
        client.getTransport().setTimeoutMs((int) timeout.toMillis());
        try {
            client.connect(target.host(), target.port());
        } catch (TransportException e) {
            close(client);
            if (check.rejection() == HostKeyCheck.Rejection.CHANGED) {
                throw new HostKeyMismatchException(who, check.detail());
            }
            if (check.rejection() == HostKeyCheck.Rejection.UNKNOWN) {
                throw new BootstrapException(BootstrapPhase.CONNECT, who, check.detail(), e);
            }
            throw new BootstrapException(BootstrapPhase.CONNECT, who, "SSH handshake failed: " + e.getMessage(), e);
        } catch (IOException e) {
            close(client);
            throw new BootstrapException(BootstrapPhase.CONNECT, who, "cannot connect: " + e
                    + ". Check the address and port and that sshd runs there", e);
        }
        SshCredentials cred = target.credentials();
        try {
            if (cred.agentSocket() != null) {
                SshAgentClient agent = new SshAgentClient(cred.agentSocket());
                List<AuthMethod> methods = new ArrayList<>();
                for (SshAgentClient.Identity id : agent.identities()) {
                    methods.add(new AgentAuthMethod(agent, id));
                }
                if (methods.isEmpty()) {
                    close(client);
                    throw new BootstrapException(BootstrapPhase.CONNECT, who, "the ssh-agent at " + cred.agentSocket()
                            + " holds no keys; add yours with ssh-add", null);
                }
                client.auth(target.user(), methods);
            } else {
                KeyProvider key = cred.keyFile() != null ? client.loadKeys(cred.keyFile().toString())
                        : client.loadKeys(cred.privateKey(), null, null);
                client.authPublickey(target.user(), key);
            }
        } catch (BootstrapException e) {
            throw e;
        } catch (UserAuthException e) {
            close(client);
            throw new BootstrapException(BootstrapPhase.CONNECT, who, "login refused for user '" + target.user()
                    + "' with " + cred.keyDescription() + ": wrong key or wrong user. Check the user name, and that "
                    + "the matching public key is in ~" + target.user() + "/.ssh/authorized_keys on " + target.host(),
                    e);
        } catch (IOException e) {
            close(client);
            String msg = e.getMessage() != null && e.getMessage().toLowerCase().contains("passphrase")
                    ? "the private key " + cred.keyFile() + " is encrypted; use a key without passphrase"
                    : "cannot log in with " + cred.keyDescription() + ": " + e;
            throw new BootstrapException(BootstrapPhase.CONNECT, who, msg, e);
        }
        client.getConnection().getKeepAlive().setKeepAliveInterval(KEEP_ALIVE_SECONDS);
        log.debug("connected to {}", who);
        return new SshSession(target, client);
    }

    private static void close(SSHClient c) {
        try {
            c.close();
        } catch (IOException e) {
            log.debug("closing failed connection", e);
        }
    }
}
