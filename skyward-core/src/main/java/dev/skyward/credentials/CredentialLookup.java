package dev.skyward.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyward.spi.ProviderCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * ProviderCheck c = creds.check("verda");      // ok, with source "env VERDA_CLIENT_ID", or what to set
 * String clientId = creds.verda().map(f -> f.value("client_id")).orElse(null);
 * }</pre>
 *
 * <p>AWS and DigitalOcean are not here: their modules find their credentials themselves
 * ({@code AwsDescriptor}, {@code DigitalOceanDescriptor}). Where it looks, in order:
 * <ul>
 *   <li>verda: {@code VERDA_CLIENT_ID}/{@code VERDA_CLIENT_SECRET}, the legacy
 *       {@code DATACRUNCH_CLIENT_ID}/{@code DATACRUNCH_CLIENT_SECRET}, {@code ~/.verda/config.json}.</li>
 * </ul>
 */
public final class CredentialLookup {

    /** The providers this class knows where to look for. */
    public static final List<String> PROVIDERS = List.of("verda");

    private static final String VERDA_HELP = "set VERDA_CLIENT_ID and VERDA_CLIENT_SECRET (legacy: "
            + "DATACRUNCH_CLIENT_ID and DATACRUNCH_CLIENT_SECRET) to an API client from the Verda console (Keys), "
            + "or write ~/.verda/config.json {\"client_id\": \"...\", \"client_secret\": \"...\"}";

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
     * @param provider {@code verda}
     * @return ok with the source, or not ok with exactly what is missing and what to set
     */
    public ProviderCheck check(String provider) {
        Lookup l = switch (provider) {
            case "verda" -> verdaLookup();
            default -> new Lookup(null, "no credential lookup for provider '" + provider + "'; known: " + PROVIDERS);
        };
        return l.found != null ? ProviderCheck.ok(provider, l.found.source()) : ProviderCheck.missing(provider, l.problem);
    }

    /** The Verda API client (values {@code client_id}, {@code client_secret}), if any. */
    public Optional<FoundCredentials> verda() {
        return Optional.ofNullable(verdaLookup().found);
    }

    /** Credentials, or why there are none. */
    private record Lookup(FoundCredentials found, String problem) {
    }

    private Lookup verdaLookup() {
        for (String prefix : List.of("VERDA", "DATACRUNCH")) {
            String id = env(prefix + "_CLIENT_ID");
            String secret = env(prefix + "_CLIENT_SECRET");
            if (id != null && secret != null) {
                return found("verda", "env " + prefix + "_CLIENT_ID", Map.of("client_id", id, "client_secret", secret));
            }
            if (id != null || secret != null) {
                return new Lookup(null, prefix + (id != null ? "_CLIENT_ID is set but " + prefix + "_CLIENT_SECRET is not"
                        : "_CLIENT_SECRET is set but " + prefix + "_CLIENT_ID is not") + "; set both");
            }
        }
        Path file = home.resolve(".verda").resolve("config.json");
        if (Files.isRegularFile(file)) {
            try {
                JsonNode root = new ObjectMapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
                String id = text(root == null ? null : root.get("client_id"));
                String secret = text(root == null ? null : root.get("client_secret"));
                if (id != null && secret != null) {
                    return found("verda", file.toString(), Map.of("client_id", id, "client_secret", secret));
                }
                return new Lookup(null, file + " lacks " + (id == null ? "client_id" : "client_secret") + "; "
                        + VERDA_HELP);
            } catch (IOException | RuntimeException e) {
                return new Lookup(null, "cannot read " + file + ": " + e.getMessage() + "; " + VERDA_HELP);
            }
        }
        return new Lookup(null, "no Verda credentials found; " + VERDA_HELP);
    }

    private static Lookup found(String provider, String source, Map<String, String> values) {
        return new Lookup(new FoundCredentials(provider, source, values), null);
    }

    private String env(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static String text(JsonNode n) {
        return n == null || !n.isValueNode() || n.asText().isBlank() ? null : n.asText().trim();
    }

}
