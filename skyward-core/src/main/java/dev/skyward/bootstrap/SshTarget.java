package dev.skyward.bootstrap;

import java.util.Objects;

/**
 * One machine to log in to.
 *
 * @param host address
 * @param port SSH port
 * @param user login user
 * @param credentials key and host key policy
 */
public record SshTarget(String host, int port, String user, SshCredentials credentials) {

    /** Validates. */
    public SshTarget {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(credentials, "credentials");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("SSH port must be 1..65535, was " + port);
        }
    }

    @Override
    public String toString() {
        return user + "@" + host + ":" + port;
    }
}
