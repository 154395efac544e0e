package dev.skyward.bootstrap;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A logged-in SSH connection to one node: run scripts with a deadline, stream a file into a remote
 * command, open port forwards. Made by {@link SshConnector}; thread-safe (SSH multiplexes channels).
 *
 * <pre>{@code
 * ExecResult r = session.exec("echo $HOME", Duration.ofSeconds(5));
 * }</pre>
 */
public final class SshSession implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SshSession.class);
    /** Stream pumps block on reads; daemon threads so a stuck remote never holds the JVM open. */
    static final ExecutorService IO = Executors.newCachedThreadPool(dev.skyward.wire.thread.DaemonThreads.numbered("skyward-ssh-io"));

    private final SshTarget target;
    private final SSHClient client;

    SshSession(SshTarget target, SSHClient client) {
        this.target = target;
        this.client = client;
    }

    /** Where this session is logged in. */
    public SshTarget target() {
        return target;
    }

    SSHClient client() {
        return client;
    }

    /** Whether the connection is up. */
    public boolean isConnected() {
        return client.isConnected() && client.isAuthenticated();
    }

    /**
     * Runs a POSIX shell script (sent on stdin to {@code sh -s}, so nothing of it shows in {@code ps}).
     *
     * @param script the script
     * @param timeout deadline; the channel is closed when it passes
     * @return exit status and output
     * @throws IOException on transport failure or timeout
     */
    public ExecResult exec(String script, Duration timeout) throws IOException {
        return run("sh -s", script.getBytes(StandardCharsets.UTF_8), null, null, timeout);
    }

    /**
     * Runs a script and hands each line of its stdout to {@code lines} as it arrives.
     *
     * @param script the script
     * @param timeout deadline
     * @param lines receives stdout lines
     * @return exit status and output (stdout included)
     * @throws IOException on transport failure or timeout
     */
    public ExecResult execStreaming(String script, Duration timeout, Consumer<String> lines) throws IOException {
        return run("sh -s", script.getBytes(StandardCharsets.UTF_8), null, lines, timeout);
    }

    /**
     * Runs a command with a local file as its stdin (e.g. {@code cat > x}).
     *
     * @param command the remote command line
     * @param stdin file to send
     * @param timeout deadline
     * @return exit status and output
     * @throws IOException on transport failure, timeout, or when the remote stops reading
     */
    public ExecResult execWithInput(String command, Path stdin, Duration timeout) throws IOException {
        return run(command, null, stdin, null, timeout);
    }

    private ExecResult run(String command, byte[] input, Path inputFile, Consumer<String> lines, Duration timeout)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Session session = client.startSession()) {
            Session.Command cmd = session.exec(command);
            Future<String> out = IO.submit(() -> lines == null ? read(cmd.getInputStream()) : readLines(cmd.getInputStream(), lines));
            Future<String> err = IO.submit(() -> read(cmd.getErrorStream()));
            Future<?> in = IO.submit(() -> {
                try (OutputStream os = cmd.getOutputStream()) {
                    if (input != null) {
                        os.write(input);
                    } else if (inputFile != null) {
                        Files.copy(inputFile, os);
                    }
                }
                return null;
            });
            try {
                String stdout = out.get(remaining(deadline), TimeUnit.NANOSECONDS);
                String stderr = err.get(remaining(deadline), TimeUnit.NANOSECONDS);
                cmd.join((int) Math.max(1, Math.min(5000, TimeUnit.NANOSECONDS.toMillis(remaining(deadline)))),
                        TimeUnit.MILLISECONDS);
                Integer status = cmd.getExitStatus();
                ExecResult result = new ExecResult(status == null ? -1 : status, stdout, stderr);
                try {
                    in.get(1, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    // The remote exited before reading all its input (e.g. disk full): its exit status says why,
                    // and what went wrong on this side goes with it.
                    if (result.ok()) {
                        throw new IOException("sending input to '" + command + "' on " + target + " failed", e.getCause());
                    }
                    log.debug("sending input to {} failed", target, e.getCause());
                    result = new ExecResult(result.exitStatus(), result.stdout(), result.stderr()
                            + "\n(sending the input failed: " + e.getCause() + ")");
                }
                return result;
            } catch (TimeoutException e) {
                out.cancel(true);
                err.cancel(true);
                in.cancel(true);
                throw new IOException("'" + command + "' on " + target + " did not finish within " + timeout);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    private static long remaining(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }

    private static String read(InputStream in) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        in.transferTo(bos);
        return bos.toString(StandardCharsets.UTF_8);
    }

    private static String readLines(InputStream in, Consumer<String> sink) throws IOException {
        StringBuilder all = new StringBuilder();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            all.append(line).append('\n');
            try {
                sink.accept(line);
            } catch (RuntimeException e) {
                log.warn("line consumer failed on '{}'", line, e);
            }
        }
        return all.toString();
    }

    /**
     * Forwards a local loopback port to a port on the node's loopback.
     *
     * @param remotePort port on the node's 127.0.0.1
     * @param localPort local port, 0 for any free one
     * @return the running forward
     * @throws IOException when the local port cannot be bound
     */
    public PortForward forward(int remotePort, int localPort) throws IOException {
        return PortForward.open(this, remotePort, localPort);
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            log.debug("closing {}", target, e);
        }
    }

    @Override
    public String toString() {
        return target.toString();
    }
}
