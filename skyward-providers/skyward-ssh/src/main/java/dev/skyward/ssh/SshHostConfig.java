package dev.skyward.ssh;

import dev.skyward.PoolConfigurationException;
import java.nio.file.Path;

/**
 * One machine of an {@link Ssh} provider.
 *
 * @param address host name or IP address
 * @param port SSH port
 * @param user login user
 * @param identity private key file for this host, or {@code null} for the provider's default
 */
public record SshHostConfig(String address, int port, String user, Path identity) {

    /** Validates. */
    public SshHostConfig {
        if (address == null || user == null) {
            throw new PoolConfigurationException("host address and user must not be null");
        }
        if (address.isBlank() || user.isBlank()) {
            throw new PoolConfigurationException("host address and user must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new PoolConfigurationException("SSH port of " + address + " must be 1..65535, was " + port);
        }
    }

    /**
     * Parses {@code [user@]address[:port]}; IPv6 addresses go in brackets ({@code [::1]:2222}).
     *
     * @param spec the text
     * @param defaultUser user when the text has none
     * @return the host
     */
    public static SshHostConfig parse(String spec, String defaultUser) {
        String s = spec.trim();
        String user = defaultUser;
        int at = s.lastIndexOf('@');
        if (at >= 0) {
            user = s.substring(0, at);
            s = s.substring(at + 1);
        }
        int port = 22;
        String address = s;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            address = s.substring(1, close);
            if (close + 1 < s.length() && s.charAt(close + 1) == ':') {
                port = Integer.parseInt(s.substring(close + 2));
            }
        } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
            address = s.substring(0, s.indexOf(':'));
            port = Integer.parseInt(s.substring(s.indexOf(':') + 1));
        }
        if (user == null) {
            throw new PoolConfigurationException("host '" + spec + "' has no user; write user@" + spec
                    + " or set a default user");
        }
        return new SshHostConfig(address, port, user, null);
    }

    @Override
    public String toString() {
        return user + "@" + address + ":" + port;
    }
}
