package dev.skyward.ssh;

import dev.skyward.PoolConfigurationException;
import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderCheck;
import dev.skyward.spi.ProviderDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Makes the ssh provider findable as {@code "ssh"}: {@code .provider("ssh")} reads the host list from
 * {@code $SKYWARD_SSH_CONFIG}, else {@code ~/.skyward/ssh.conf} (the format of {@link Ssh#fromConfig}).
 */
public final class SshDescriptor implements ProviderDescriptor {

    /** Environment variable naming the config file. */
    public static final String CONFIG_ENV = "SKYWARD_SSH_CONFIG";

    private final Map<String, String> env;
    private final Path home;

    /** Reads the process environment and {@code user.home}. */
    public SshDescriptor() {
        this(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    SshDescriptor(Map<String, String> env, Path home) {
        this.env = env;
        this.home = home;
    }

    @Override
    public String name() {
        return Ssh.NAME;
    }

    /** The config file this descriptor reads. */
    Path configFile() {
        String named = env.get(CONFIG_ENV);
        return named != null && !named.isBlank() ? Path.of(named) : home.resolve(".skyward/ssh.conf");
    }

    @Override
    public ProviderCheck check() {
        Path file = configFile();
        if (!Files.isRegularFile(file)) {
            return ProviderCheck.missing(Ssh.NAME, "no host list: write " + file + " (lines like 'host ubuntu@gpu-1.lan',"
                    + " 'identity ~/.ssh/id_ed25519'; see Ssh.fromConfig) or set " + CONFIG_ENV + " to such a file");
        }
        try {
            ProviderCheck c = Ssh.fromConfig(file).check();
            return c.ok() ? ProviderCheck.ok(Ssh.NAME, file + ": " + c.source()) : c;
        } catch (RuntimeException e) {
            return ProviderCheck.missing(Ssh.NAME, e.getMessage());
        }
    }

    @Override
    public Provider create() {
        Path file = configFile();
        if (!Files.isRegularFile(file)) {
            throw new PoolConfigurationException(check().message());
        }
        return Ssh.fromConfig(file);
    }
}
