package dev.skyward.spi;

/**
 * How to reach an instance over SSH.
 *
 * @param host address to connect to
 * @param port SSH port
 * @param user login user
 */
public record SshEndpoint(String host, int port, String user) {
}
