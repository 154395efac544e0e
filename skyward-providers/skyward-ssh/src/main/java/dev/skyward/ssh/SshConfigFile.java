package dev.skyward.ssh;

import dev.skyward.PoolConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads an {@link Ssh} provider's host list from a file. One directive per line, {@code #} starts a
 * comment, {@code ~} expands to the user's home:
 *
 * <pre>
 * # defaults for the hosts below
 * user ubuntu
 * identity ~/.ssh/id_ed25519      # or: identity agent   (use the running ssh-agent)
 * known_hosts ~/.ssh/known_hosts
 * # one line per machine: [user@]address[:port] [identity=PATH]
 * host gpu-box-1.lan
 * host admin@10.0.0.6:2222 identity=~/.ssh/lab_key
 * </pre>
 */
final class SshConfigFile {

    private SshConfigFile() {
    }

    static Ssh.Builder read(Path file, Ssh.Builder b) throws IOException {
        List<String> lines = Files.readAllLines(file);
        String user = null;
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            int hash = line.indexOf('#');
            String l = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (l.isEmpty()) {
                continue;
            }
            String[] w = l.split("\\s+");
            String where = file + ":" + (n + 1);
            try {
                switch (w[0]) {
                    case "user" -> user = arg(w, where);
                    case "identity" -> {
                        String v = arg(w, where);
                        if (v.equals("agent")) {
                            b.useAgent();
                        } else {
                            b.identity(path(v));
                        }
                    }
                    case "known_hosts" -> b.knownHosts(path(arg(w, where)));
                    case "host" -> {
                        SshHostConfig h = SshHostConfig.parse(arg(w, where), user);
                        Path identity = null;
                        for (int i = 2; i < w.length; i++) {
                            if (w[i].startsWith("identity=")) {
                                identity = path(w[i].substring("identity=".length()));
                            } else {
                                throw new PoolConfigurationException("unknown host option '" + w[i]
                                        + "'; only identity=PATH is known");
                            }
                        }
                        b.host(new SshHostConfig(h.address(), h.port(), h.user(), identity));
                    }
                    default -> throw new PoolConfigurationException("unknown directive '" + w[0]
                            + "'; use user, identity, known_hosts or host");
                }
            } catch (PoolConfigurationException e) {
                throw new PoolConfigurationException(where + ": " + e.getMessage(), e);
            }
        }
        return b;
    }

    private static String arg(String[] w, String where) {
        if (w.length < 2) {
            throw new PoolConfigurationException("'" + w[0] + "' needs a value");
        }
        return w[1];
    }

    static Path path(String p) {
        if (p.equals("~") || p.startsWith("~/")) {
            return Path.of(System.getProperty("user.home") + p.substring(1));
        }
        return Path.of(p);
    }
}
