package dev.skyward.guard;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;

/**
 * This client's id, put on every resource its pools create: {@code <user>-<host>:<pid>:<random>}, e.g.
 * {@code alice-laptop:48213:9f3a01c2}. The machine part ({@code <user>-<host>}) is the same for every
 * client this user runs on this host, which is how "this user's pools" are told apart from other
 * people's on a shared account; the pid and the random part (made once per JVM) tell this JVM from
 * an earlier one that had the same pid. Only {@code [a-z0-9-]} in the machine part, so it fits any
 * provider's tag rules.
 *
 * <pre>{@code
 * String me = ClientId.current();
 * boolean mine = Ownership.machineOf(tagValue).equals(ClientId.machine());
 * }</pre>
 */
public final class ClientId {

    private static final String MACHINE = machine(System.getProperty("user.name", "user"), hostname());
    private static final String CURRENT = MACHINE + ":" + ProcessHandle.current().pid() + ":"
            + HexFormat.of().formatHex(random(4));

    private ClientId() {
    }

    /** This JVM's client id. */
    public static String current() {
        return CURRENT;
    }

    /** This user's and host's part of every client id made here. */
    public static String machine() {
        return MACHINE;
    }

    static String machine(String user, String host) {
        String m = (user + "-" + host).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-")
                .replaceAll("-+", "-").replaceAll("^-|-$", "");
        return m.length() > 80 ? m.substring(0, 80) : m.isEmpty() ? "client" : m;
    }

    /** The host name without a DNS lookup where the kernel tells it (a lookup can take seconds). */
    private static String hostname() {
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                return Files.readString(kernel).strip();
            }
        } catch (IOException ignored) {
            // fall through
        }
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "host";
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
