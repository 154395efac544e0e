package dev.skyward.bootstrap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

/** Host keys must be in an OpenSSH known_hosts file; see {@link HostKeyPolicy}. */
record KnownHostsPolicy(Path file) implements HostKeyPolicy {

    @Override
    public HostKeyCheck newCheck(String host, int port) {
        if (!Files.isReadable(file)) {
            throw new UncheckedIOException(new IOException("known_hosts file " + file + " does not exist or cannot "
                    + "be read; create it with: ssh-keyscan -p " + port + " " + host + " >> " + file
                    + " (after checking the fingerprint with the host's owner)"));
        }
        OpenSSHKnownHosts known;
        try {
            known = new Checked(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ((Checked) known).check;
    }

    /** SSHJ's parser, with its two refusal hooks reporting into a {@link HostKeyCheck}. */
    private static final class Checked extends OpenSSHKnownHosts {
        private final HostKeyCheck check = new HostKeyCheck() {
            @Override
            public boolean verify(String hostname, int port, PublicKey key) {
                return Checked.this.verify(hostname, port, key);
            }

            @Override
            public List<String> findExistingAlgorithms(String hostname, int port) {
                return Checked.this.findExistingAlgorithms(hostname, port);
            }
        };
        private String host;
        private int port;

        Checked(java.io.File f) throws IOException {
            super(f);
        }

        @Override
        public boolean verify(String hostname, int port, PublicKey key) {
            // SSHJ hands the refusal hooks "[host]:port"; keep the plain parts for messages.
            this.host = hostname;
            this.port = port;
            return super.verify(hostname, port, key);
        }

        @Override
        protected boolean hostKeyUnverifiableAction(String adjusted, PublicKey key) {
            String hostname = host;
            String hp = HostKeyCheck.hostPort(hostname, port);
            return check.refuse(HostKeyCheck.Rejection.UNKNOWN, "host key of " + hp + " ("
                    + HostKeyCheck.fingerprint(key) + ") is not in " + getFile() + ". Check the fingerprint with "
                    + "the host's owner, then add it: ssh-keyscan -p " + port + " " + hostname + " >> " + getFile());
        }

        @Override
        protected boolean hostKeyChangedAction(String adjusted, PublicKey key) {
            String hp = HostKeyCheck.hostPort(host, port);
            return check.refuse(HostKeyCheck.Rejection.CHANGED, "HOST KEY MISMATCH: " + hp + " presented "
                    + HostKeyCheck.fingerprint(key) + ", which is not the key recorded for it in " + getFile()
                    + ". Refusing to connect: the machine was reinstalled, or someone is intercepting the "
                    + "connection. If the change is expected, remove the old entry with: ssh-keygen -R '" + hp
                    + "' -f " + getFile() + " and add the new key");
        }
    }
}
