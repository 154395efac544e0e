package dev.skyward.aws;

import dev.skyward.spi.ProviderCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.profiles.Profile;
import software.amazon.awssdk.profiles.ProfileFile;

/**
 * Where the SDK's default credential chain would find credentials, found by reading the environment
 * and the shared config files only (never IMDS or any other endpoint), so {@code skyward check} can say
 * which source it is, or exactly what to set. The SDK itself reads the secrets when a call is made.
 *
 * <p>The order is the SDK's: system properties, {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY},
 * web identity, the profile ({@code profile(...)}, else {@code AWS_PROFILE}, else {@code default}) in
 * {@code ~/.aws/credentials} and {@code ~/.aws/config} (keys, SSO, {@code credential_process},
 * {@code role_arn}), container credentials. An EC2 instance role cannot be seen without calling IMDS:
 * when nothing else is found the check fails, and its message says an instance role also works.
 */
final class AwsCredentialSource {

    static final String HELP = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE naming a profile in "
            + "~/.aws/credentials or ~/.aws/config (run `aws configure`, or `aws configure sso` and `aws sso login`); "
            + "on EC2 an instance role also works";

    private final Map<String, String> env;
    private final Map<String, String> props;
    private final Path home;
    private final String profileOverride;

    AwsCredentialSource(Map<String, String> env, Map<String, String> props, Path home, String profileOverride) {
        this.env = Map.copyOf(env);
        this.props = Map.copyOf(props);
        this.home = home;
        this.profileOverride = profileOverride;
    }

    static AwsCredentialSource system(String profileOverride) {
        Map<String, String> props = new java.util.HashMap<>();
        for (String k : List.of("aws.accessKeyId", "aws.secretAccessKey", "aws.profile", "aws.region")) {
            String v = System.getProperty(k);
            if (v != null) {
                props.put(k, v);
            }
        }
        return new AwsCredentialSource(System.getenv(), props, Path.of(System.getProperty("user.home")),
                profileOverride);
    }

    /** The profile the SDK will use. */
    String profileName() {
        if (profileOverride != null) {
            return profileOverride;
        }
        String named = firstOf(props.get("aws.profile"), env("AWS_PROFILE"), env("AWS_DEFAULT_PROFILE"));
        return named != null ? named : "default";
    }

    /** The region the SDK's region chain would find without IMDS: system property, env, then the profile. */
    Optional<String> region() {
        String r = firstOf(props.get("aws.region"), env("AWS_REGION"), env("AWS_DEFAULT_REGION"));
        if (r != null) {
            return Optional.of(r);
        }
        return profile(configFile(), ProfileFile.Type.CONFIGURATION).flatMap(p -> p.property("region"));
    }

    ProviderCheck check() {
        if (props.get("aws.accessKeyId") != null && props.get("aws.secretAccessKey") != null) {
            return ProviderCheck.ok(Aws.NAME, "system property aws.accessKeyId");
        }
        String id = env("AWS_ACCESS_KEY_ID");
        String secret = env("AWS_SECRET_ACCESS_KEY");
        if (id != null && secret != null) {
            return ProviderCheck.ok(Aws.NAME, "env AWS_ACCESS_KEY_ID");
        }
        if (id != null || secret != null) {
            return ProviderCheck.missing(Aws.NAME, (id != null ? "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
                    : "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not") + "; set both");
        }
        if (env("AWS_WEB_IDENTITY_TOKEN_FILE") != null && env("AWS_ROLE_ARN") != null) {
            return ProviderCheck.ok(Aws.NAME, "env AWS_WEB_IDENTITY_TOKEN_FILE (web identity)");
        }
        String profile = profileName();
        Path credentials = credentialsFile();
        Path config = configFile();
        Optional<Profile> fromCredentials = profile(credentials, ProfileFile.Type.CREDENTIALS);
        if (fromCredentials.flatMap(p -> p.property("aws_access_key_id")).isPresent()) {
            return ProviderCheck.ok(Aws.NAME, credentials + " [" + profile + "]");
        }
        Optional<Profile> fromConfig = profile(config, ProfileFile.Type.CONFIGURATION);
        for (String key : List.of("aws_access_key_id", "sso_session", "sso_start_url", "credential_process",
                "role_arn", "login_session", "web_identity_token_file")) {
            if (fromConfig.flatMap(p -> p.property(key)).isPresent()) {
                String header = profile.equals("default") ? "default" : "profile " + profile;
                return ProviderCheck.ok(Aws.NAME, config + " [" + header + "] (" + key + ")");
            }
        }
        if (env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != null || env("AWS_CONTAINER_CREDENTIALS_FULL_URI") != null) {
            return ProviderCheck.ok(Aws.NAME, "env AWS_CONTAINER_CREDENTIALS_*_URI (container role)");
        }
        if (profileOverride != null || !profile.equals("default")) {
            return ProviderCheck.missing(Aws.NAME, "the AWS profile '" + profile + "' has no credentials in "
                    + credentials + " or " + config + "; " + HELP);
        }
        return ProviderCheck.missing(Aws.NAME, "no AWS credentials found; " + HELP);
    }

    private Optional<Profile> profile(Path file, ProfileFile.Type type) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return ProfileFile.builder().content(file).type(type).build().profile(profileName());
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    private Path credentialsFile() {
        String f = env("AWS_SHARED_CREDENTIALS_FILE");
        return f != null ? Path.of(f) : home.resolve(".aws").resolve("credentials");
    }

    private Path configFile() {
        String f = env("AWS_CONFIG_FILE");
        return f != null ? Path.of(f) : home.resolve(".aws").resolve("config");
    }

    private String env(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    private static String firstOf(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
