package dev.skyward.bootstrap;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Base64;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;

/**
 * One connection's host key verification. SSHJ only learns "refused"; this remembers why, so the
 * connector can say "unknown host" or "key changed" instead of a generic transport error.
 */
public abstract class HostKeyCheck implements HostKeyVerifier {

    /** Whether a refusal was a changed key (an attack or a reinstalled host) rather than an unknown one. */
    public enum Rejection {
        /** No key on record for this host. */
        UNKNOWN,
        /** A different key is on record. */
        CHANGED
    }

    private volatile Rejection rejection;
    private volatile String detail = "";

    /** Why the key was refused, or {@code null} when it was accepted or not checked yet. */
    public Rejection rejection() {
        return rejection;
    }

    /** Human-readable explanation of the refusal, with fingerprints and what to do. */
    public String detail() {
        return detail;
    }

    /** Records a refusal and returns {@code false} for SSHJ. */
    protected boolean refuse(Rejection why, String message) {
        this.rejection = why;
        this.detail = message;
        return false;
    }

    /**
     * OpenSSH-style fingerprint, {@code SHA256:base64-without-padding}.
     *
     * @param key the host key
     * @return its fingerprint
     */
    public static String fingerprint(PublicKey key) {
        byte[] blob = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
    }

    /** {@code [host]:port}, or just {@code host} on port 22, as known_hosts writes it. */
    static String hostPort(String host, int port) {
        return port == 22 ? host : "[" + host + "]:" + port;
    }
}
