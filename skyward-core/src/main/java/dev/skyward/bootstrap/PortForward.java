package dev.skyward.bootstrap;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.schmizz.sshj.connection.channel.direct.LocalPortForwarder;
import net.schmizz.sshj.connection.channel.direct.Parameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local port on 127.0.0.1 forwarded through SSH to a port on the node's own 127.0.0.1, where the
 * agent listens. Only this machine can connect to the local end.
 */
public final class PortForward implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PortForward.class);

    private final TrackingServerSocket socket;
    private final LocalPortForwarder forwarder;
    private final int remotePort;

    private PortForward(TrackingServerSocket socket, LocalPortForwarder forwarder, int remotePort) {
        this.socket = socket;
        this.forwarder = forwarder;
        this.remotePort = remotePort;
    }

    static PortForward open(SshSession session, int remotePort, int localPort) throws IOException {
        TrackingServerSocket ss = new TrackingServerSocket();
        // Reconnection re-binds the same local port, so gRPC channels aimed at it keep working.
        ss.setReuseAddress(true);
        ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), localPort), 64);
        Parameters p = new Parameters("127.0.0.1", ss.getLocalPort(), "127.0.0.1", remotePort);
        LocalPortForwarder fwd = session.client().newLocalPortForwarder(p, ss);
        PortForward forward = new PortForward(ss, fwd, remotePort);
        Thread t = dev.skyward.wire.thread.DaemonThreads.start(() -> {
            try {
                fwd.listen();
            } catch (IOException e) {
                if (!ss.isClosed()) {
                    log.debug("forward 127.0.0.1:{} -> {}:{} stopped: {}", ss.getLocalPort(), session, remotePort,
                            e.toString());
                }
            }
        }, "skyward-forward-" + ss.getLocalPort());
        // SSHJ's close() fails until listen() has registered its thread; don't hand out a forward before.
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (!fwd.isRunning() && t.isAlive() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return forward;
    }

    /** The local port (on 127.0.0.1). */
    public int localPort() {
        return socket.getLocalPort();
    }

    /** The node-side port. */
    public int remotePort() {
        return remotePort;
    }

    @Override
    public void close() {
        try {
            forwarder.close();
        } catch (IOException | RuntimeException e) {
            log.debug("closing forwarder", e);
        }
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("closing forward socket", e);
        }
        // SSHJ leaves accepted connections open when the transport dies; close them so clients
        // (gRPC) see the failure at once instead of hanging on a dead socket.
        socket.closeAccepted();
    }

    /** Remembers the connections it accepted, to close them with the forward. */
    private static final class TrackingServerSocket extends ServerSocket {
        private final Set<Socket> accepted = ConcurrentHashMap.newKeySet();

        TrackingServerSocket() throws IOException {
            super();
        }

        @Override
        public Socket accept() throws IOException {
            Socket s = super.accept();
            accepted.removeIf(Socket::isClosed);
            accepted.add(s);
            return s;
        }

        void closeAccepted() {
            for (Socket s : accepted) {
                try {
                    s.close();
                } catch (IOException e) {
                    log.debug("closing forwarded connection", e);
                }
            }
            accepted.clear();
        }
    }
}
