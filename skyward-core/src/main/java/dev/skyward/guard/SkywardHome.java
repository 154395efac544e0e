package dev.skyward.guard;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where Skyward keeps this user's local state (the ledger of open pools under {@code pools/}): the
 * system property {@code skyward.home}, else the environment variable {@code SKYWARD_HOME}, else
 * {@code ~/.skyward}. Tests point it at a temporary directory.
 *
 * <pre>{@code
 * Path pools = SkywardHome.dir().resolve("pools");
 * }</pre>
 */
public final class SkywardHome {

    /** The system property that overrides the location. */
    public static final String PROPERTY = "skyward.home";
    /** The environment variable that overrides the location (after the property). */
    public static final String ENV = "SKYWARD_HOME";

    private SkywardHome() {
    }

    /** The directory, from this process's properties and environment. */
    public static Path dir() {
        return dir(System.getProperty(PROPERTY), System.getenv(), System.getProperty("user.home"));
    }

    static Path dir(String property, Map<String, String> env, String userHome) {
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        return Path.of(userHome, ".skyward");
    }
}
