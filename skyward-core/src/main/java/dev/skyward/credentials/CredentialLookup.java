package dev.skyward.credentials;

import dev.skyward.spi.ProviderCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the credentials people already have for each cloud, in the places the clouds' own tools
 * keep them (see PROVIDER-APIS.md), and says exactly what to set when there are none. Provider
 * modules use it for {@link dev.skyward.spi.Provider#check()} and to read their secrets; the
 * {@code skyward check} command prints it.
 *
 * <pre>{@code
 * CredentialLookup creds = CredentialLookup.system();
 * ProviderCheck c = creds.check("aws");        // ok, with source "env AWS_ACCESS_KEY_ID", or what to set
 * String profile = creds.aws().map(f -> f.value("profile")).orElse(null);
 * }</pre>
 *
 * <p>Where it looks, in order:
 * <ul>
 *   <li>aws: {@code AWS_ACCESS_KEY_ID}+{@code AWS_SECRET_ACCESS_KEY}; web identity
 *       ({@code AWS_WEB_IDENTITY_TOKEN_FILE}+{@code AWS_ROLE_ARN}); container credentials
 *       ({@code AWS_CONTAINER_CREDENTIALS_RELATIVE_URI}/{@code _FULL_URI}); the profile
 *       ({@code AWS_PROFILE}, else {@code default}) in {@code ~/.aws/credentials} or
 *       {@code ~/.aws/config} (keys, SSO, {@code credential_process}, {@code role_arn}). An EC2
 *       instance role cannot be seen without a network call and is not checked.</li>
 * </ul>
 *
 * <p>Provider modules with their own lookup (DigitalOcean, Verda) are not here: {@code skyward check}
 * asks their {@link dev.skyward.spi.ProviderDescriptor}.
 */
public final class CredentialLookup {

    /** The providers this class knows where to look for. */
    public static final List<String> PROVIDERS = List.of("aws");

    private static final String AWS_HELP = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE naming a "
            + "profile in ~/.aws/credentials or ~/.aws/config (run `aws configure`, or `aws configure sso` and "
            + "`aws sso login`); on EC2 an instance role also works";

    private final Map<String, String> env;
    private final Path home;

    /**
     * @param env the environment to read (tests pass their own)
     * @param home the user's home directory
     */
    public CredentialLookup(Map<String, String> env, Path home) {
        this.env = Map.copyOf(env);
        this.home = Objects.requireNonNull(home, "home");
    }

    /** Reads this process's environment and the user's home directory. */
    public static CredentialLookup system() {
        return new CredentialLookup(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * Checks one provider.
     *
     * @param provider {@code aws}
     * @return ok with the source, or not ok with exactly what is missing and what to set
     */
    public ProviderCheck check(String provider) {
        Lookup l = switch (provider) {
            case "aws" -> awsLookup();
            default -> new Lookup(null, "no credential lookup for provider '" + provider + "'; known: " + PROVIDERS);
        };
        return l.found != null ? ProviderCheck.ok(provider, l.found.source()) : ProviderCheck.missing(provider, l.problem);
    }

    /** AWS credentials, if any are visible (the SDK reads the secrets itself; values hold the profile). */
    public Optional<FoundCredentials> aws() {
        return Optional.ofNullable(awsLookup().found);
    }

    /** Credentials, or why there are none. */
    private record Lookup(FoundCredentials found, String problem) {
    }

    private Lookup awsLookup() {
        String id = env("AWS_ACCESS_KEY_ID");
        String secret = env("AWS_SECRET_ACCESS_KEY");
        if (id != null && secret != null) {
            return found("aws", "env AWS_ACCESS_KEY_ID", Map.of());
        }
        if (id != null || secret != null) {
            return new Lookup(null, (id != null ? "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
                    : "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not") + "; set both");
        }
        if (env("AWS_WEB_IDENTITY_TOKEN_FILE") != null && env("AWS_ROLE_ARN") != null) {
            return found("aws", "env AWS_WEB_IDENTITY_TOKEN_FILE (web identity)", Map.of());
        }
        if (env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != null || env("AWS_CONTAINER_CREDENTIALS_FULL_URI") != null) {
            return found("aws", "env AWS_CONTAINER_CREDENTIALS_*_URI (container role)", Map.of());
        }
        String named = env("AWS_PROFILE") != null ? env("AWS_PROFILE") : env("AWS_DEFAULT_PROFILE");
        String profile = named != null ? named : "default";
        Path credentials = pathFromEnv("AWS_SHARED_CREDENTIALS_FILE", home.resolve(".aws").resolve("credentials"));
        Path config = pathFromEnv("AWS_CONFIG_FILE", home.resolve(".aws").resolve("config"));
        try {
            Map<String, String> section = Ini.section(credentials, profile);
            if (section != null && section.get("aws_access_key_id") != null) {
                return found("aws", credentials + " [" + profile + "]", Map.of("profile", profile));
            }
            section = Ini.section(config, profile.equals("default") ? "default" : "profile " + profile);
            if (section != null) {
                for (String key : List.of("aws_access_key_id", "sso_session", "sso_start_url", "credential_process",
                        "role_arn", "login_session")) {
                    if (section.get(key) != null) {
                        String header = profile.equals("default") ? "default" : "profile " + profile;
                        return found("aws", config + " [" + header + "] (" + key + ")", Map.of("profile", profile));
                    }
                }
            }
        } catch (IOException e) {
            return new Lookup(null, "cannot read AWS configuration: " + e.getMessage() + "; " + AWS_HELP);
        }
        if (named != null) {
            return new Lookup(null, "AWS_PROFILE is '" + named + "' but neither " + credentials + " [" + named
                    + "] nor " + config + " [profile " + named + "] has credentials; " + AWS_HELP);
        }
        return new Lookup(null, "no AWS credentials found; " + AWS_HELP);
    }

    private static Lookup found(String provider, String source, Map<String, String> values) {
        return new Lookup(new FoundCredentials(provider, source, values), null);
    }

    private String env(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private Path pathFromEnv(String name, Path otherwise) {
        String v = env(name);
        return v == null ? otherwise : Path.of(v.startsWith("~/") ? home + v.substring(1) : v);
    }

    /** Just enough of the INI dialect of ~/.aws/credentials and ~/.aws/config: sections and key = value. */
    static final class Ini {
        private Ini() {
        }

        static Map<String, String> section(Path file, String name) throws IOException {
            if (!Files.isRegularFile(file)) {
                return null;
            }
            Map<String, String> values = null;
            for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                    continue;
                }
                if (line.startsWith("[") && line.endsWith("]")) {
                    if (values != null) {
                        return values;
                    }
                    String header = line.substring(1, line.length() - 1).strip().replaceAll("\\s+", " ");
                    if (header.equals(name)) {
                        values = new HashMap<>();
                    }
                    continue;
                }
                int eq = line.indexOf('=');
                if (values != null && eq > 0) {
                    String value = line.substring(eq + 1).strip();
                    if (!value.isEmpty()) {
                        values.put(line.substring(0, eq).strip().toLowerCase(java.util.Locale.ROOT), value);
                    }
                }
            }
            return values;
        }
    }
}
