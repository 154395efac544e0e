package dev.skyward.bootstrap;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.schmizz.sshj.common.Buffer;

/**
 * A minimal client of the OpenSSH agent protocol (list identities, sign), over the agent's Unix
 * socket ({@code SSH_AUTH_SOCK}). Private keys never leave the agent; only signatures come back.
 * One short-lived socket connection per request: requests are rare (a few per login).
 */
final class SshAgentClient {

    private static final byte FAILURE = 5;
    private static final byte REQUEST_IDENTITIES = 11;
    private static final byte IDENTITIES_ANSWER = 12;
    private static final byte SIGN_REQUEST = 13;
    private static final byte SIGN_RESPONSE = 14;
    /** Ask for rsa-sha2-256 signatures: OpenSSH refuses SHA-1 ones. */
    static final int RSA_SHA2_256 = 2;

    /** One key the agent holds. */
    record Identity(byte[] blob, String algorithm, String comment) {
    }

    private final Path socket;

    SshAgentClient(Path socket) {
        this.socket = socket;
    }

    /** The agent at {@code SSH_AUTH_SOCK}, or {@code null} when the variable is unset. */
    static SshAgentClient fromEnvironment() {
        String sock = System.getenv("SSH_AUTH_SOCK");
        return sock == null || sock.isBlank() ? null : new SshAgentClient(Path.of(sock));
    }

    Path socket() {
        return socket;
    }

    List<Identity> identities() throws IOException {
        Buffer.PlainBuffer reply = call(new byte[] {REQUEST_IDENTITIES});
        try {
            byte type = reply.readByte();
            if (type != IDENTITIES_ANSWER) {
                throw new IOException("ssh-agent at " + socket + " refused to list keys (reply " + type + ")");
            }
            int n = reply.readUInt32AsInt();
            List<Identity> ids = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] blob = reply.readBytes();
                String comment = reply.readString();
                String algo = new Buffer.PlainBuffer(blob).readString();
                ids.add(new Identity(blob, algo, comment));
            }
            return ids;
        } catch (Buffer.BufferException e) {
            throw new IOException("malformed reply from ssh-agent at " + socket, e);
        }
    }

    /** The agent's signature blob ({@code string algorithm, string signature}) over {@code data}. */
    byte[] sign(byte[] keyBlob, byte[] data, int flags) throws IOException {
        byte[] req = new Buffer.PlainBuffer().putByte(SIGN_REQUEST).putBytes(keyBlob).putBytes(data)
                .putUInt32(flags).getCompactData();
        Buffer.PlainBuffer reply = call(req);
        try {
            byte type = reply.readByte();
            if (type == FAILURE) {
                throw new IOException("ssh-agent at " + socket + " refused to sign (key removed, or confirmation denied)");
            }
            if (type != SIGN_RESPONSE) {
                throw new IOException("unexpected reply " + type + " from ssh-agent at " + socket);
            }
            return reply.readBytes();
        } catch (Buffer.BufferException e) {
            throw new IOException("malformed reply from ssh-agent at " + socket, e);
        }
    }

    private Buffer.PlainBuffer call(byte[] message) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer out = ByteBuffer.allocate(4 + message.length).putInt(message.length).put(message).flip();
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ByteBuffer len = read(ch, 4);
            int n = len.getInt();
            if (n <= 0 || n > 256 * 1024) {
                throw new IOException("ssh-agent at " + socket + " sent a reply of " + n + " bytes");
            }
            return new Buffer.PlainBuffer(read(ch, n).array());
        } catch (IOException e) {
            throw new IOException("cannot talk to ssh-agent at " + socket + ": " + e.getMessage(), e);
        }
    }

    private static ByteBuffer read(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("ssh-agent closed the connection");
            }
        }
        return b.flip();
    }

    @Override
    public String toString() {
        return "ssh-agent at " + socket;
    }
}
