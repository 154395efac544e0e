package dev.skyward.bootstrap;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import net.schmizz.sshj.common.Buffer;

/**
 * A pool's ephemeral ed25519 login key for machines the pool creates: the public half goes to the
 * provider in {@link dev.skyward.spi.LaunchRequest#sshPublicKey()}, the private half stays in this
 * process's memory (never written to disk) and dies with the pool. Host keys of those machines are
 * pinned on first use, per pool ({@link HostKeyPolicy#pinnedFirstUse()}).
 *
 * <pre>{@code
 * PoolKey key = PoolKey.generate(poolId);
 * provider.launch(new LaunchRequest(poolId, offer, n, spot, image, key.publicKey(), tags));
 * SshCredentials login = key.credentials();    // host keys pinned on first use, per pool
 * }</pre>
 */
public final class PoolKey {

    private static final String TYPE = "ssh-ed25519";
    /** X.509 and PKCS#8 encodings of Ed25519 keys end with the 32 raw key bytes. */
    private static final int RAW = 32;

    private final String publicKey;
    private final String privateKey;
    private final PinnedHostKeys pins = HostKeyPolicy.pinnedFirstUse();

    private PoolKey(String publicKey, String privateKey) {
        this.publicKey = publicKey;
        this.privateKey = privateKey;
    }

    /**
     * A fresh key pair.
     *
     * @param poolId goes into the key's comment, so it can be recognised in authorized_keys
     * @return the key
     */
    public static PoolKey generate(String poolId) {
        KeyPair kp;
        try {
            kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make Ed25519 keys", e);
        }
        byte[] x509 = kp.getPublic().getEncoded();
        byte[] pkcs8 = kp.getPrivate().getEncoded();
        byte[] pub = Arrays.copyOfRange(x509, x509.length - RAW, x509.length);
        byte[] seed = Arrays.copyOfRange(pkcs8, pkcs8.length - RAW, pkcs8.length);
        String comment = "skyward-" + poolId;
        byte[] pubBlob = new Buffer.PlainBuffer().putString(TYPE).putBytes(pub).getCompactData();
        String openSshPublic = TYPE + " " + Base64.getEncoder().encodeToString(pubBlob) + " " + comment;
        return new PoolKey(openSshPublic, openSshPrivate(pub, seed, pubBlob, comment));
    }

    /** OpenSSH's own private key format (PROTOCOL.key), unencrypted. */
    private static String openSshPrivate(byte[] pub, byte[] seed, byte[] pubBlob, String comment) {
        int check = new SecureRandom().nextInt();
        byte[] secret = new byte[64];
        System.arraycopy(seed, 0, secret, 0, RAW);
        System.arraycopy(pub, 0, secret, RAW, RAW);
        Buffer.PlainBuffer priv = new Buffer.PlainBuffer().putUInt32(check & 0xffffffffL).putUInt32(check & 0xffffffffL)
                .putString(TYPE).putBytes(pub).putBytes(secret).putString(comment);
        for (int pad = 1; priv.available() % 8 != 0; pad++) {
            priv.putByte((byte) pad);
        }
        Arrays.fill(secret, (byte) 0);
        Buffer.PlainBuffer file = new Buffer.PlainBuffer().putRawBytes("openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII))
                .putString("none").putString("none").putString("").putUInt32(1).putBytes(pubBlob)
                .putBytes(priv.getCompactData());
        String b64 = Base64.getMimeEncoder(70, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(file.getCompactData());
        return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + b64 + "\n-----END OPENSSH PRIVATE KEY-----\n";
    }

    /** The public key in authorized_keys format, {@code ssh-ed25519 AAAA... skyward-<pool>}. */
    public String publicKey() {
        return publicKey;
    }

    /** The pool's host key pins. */
    public PinnedHostKeys pins() {
        return pins;
    }

    /** Log-in credentials: the private half of this key, host keys checked against the pool's pins. */
    public SshCredentials credentials() {
        return SshCredentials.privateKey(privateKey, pins);
    }

    @Override
    public String toString() {
        return "PoolKey[" + publicKey + "]";
    }
}
