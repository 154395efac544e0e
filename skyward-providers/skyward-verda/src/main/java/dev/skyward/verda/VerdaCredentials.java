package dev.skyward.verda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyward.spi.ProviderCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Verda API client's id and secret, found where Verda's own SDKs and tools look: the environment
 * ({@code VERDA_CLIENT_ID}/{@code VERDA_CLIENT_SECRET}, else the legacy {@code DATACRUNCH_*} pair),
 * else {@code ~/.verda/config.json} ({@code {"client_id": ..., "client_secret": ...}}). When none are
 * found, {@link #problem()} says exactly what to set. The secret never appears in {@link #toString()}.
 */
final class VerdaCredentials {

    static final String HELP = "set VERDA_CLIENT_ID and VERDA_CLIENT_SECRET (legacy: DATACRUNCH_CLIENT_ID and "
            + "DATACRUNCH_CLIENT_SECRET) to an API client from the Verda console (Keys > Cloud API credentials), "
            + "or write ~/.verda/config.json {\"client_id\": \"...\", \"client_secret\": \"...\"}, or pass them to "
            + "Verda.builder().credentials(id, secret)";

    private final String clientId;
    private final String clientSecret;
    private final String source;
    private final String problem;

    private VerdaCredentials(String clientId, String clientSecret, String source, String problem) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.source = source;
        this.problem = problem;
    }

    static VerdaCredentials of(String clientId, String clientSecret, String source) {
        return new VerdaCredentials(clientId, clientSecret, source, null);
    }

    static VerdaCredentials missing(String problem) {
        return new VerdaCredentials(null, null, "", problem);
    }

    /** Looks in this process's environment and the user's home. */
    static VerdaCredentials lookup() {
        return lookup(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    static VerdaCredentials lookup(Map<String, String> env, Path home) {
        for (String prefix : List.of("VERDA", "DATACRUNCH")) {
            String id = value(env.get(prefix + "_CLIENT_ID"));
            String secret = value(env.get(prefix + "_CLIENT_SECRET"));
            if (id != null && secret != null) {
                return of(id, secret, "env " + prefix + "_CLIENT_ID");
            }
            if (id != null || secret != null) {
                String set = prefix + (id != null ? "_CLIENT_ID" : "_CLIENT_SECRET");
                String unset = prefix + (id != null ? "_CLIENT_SECRET" : "_CLIENT_ID");
                return missing(set + " is set but " + unset + " is not; set both");
            }
        }
        Path file = home.resolve(".verda").resolve("config.json");
        if (!Files.isRegularFile(file)) {
            return missing("no Verda credentials found; " + HELP);
        }
        try {
            JsonNode root = new ObjectMapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
            String id = root == null ? null : value(root.path("client_id").asText(null));
            String secret = root == null ? null : value(root.path("client_secret").asText(null));
            if (id != null && secret != null) {
                return of(id, secret, file.toString());
            }
            return missing(file + " lacks " + (id == null ? "client_id" : "client_secret") + "; " + HELP);
        } catch (IOException | RuntimeException e) {
            return missing("cannot read " + file + ": " + e.getMessage() + "; " + HELP);
        }
    }

    private static String value(String v) {
        return v == null || v.isBlank() ? null : v.strip();
    }

    boolean found() {
        return problem == null;
    }

    String clientId() {
        return clientId;
    }

    String clientSecret() {
        return clientSecret;
    }

    /** Where they came from: {@code env VERDA_CLIENT_ID}, a file, or the builder. */
    String source() {
        return source;
    }

    /** When none were found: what is wrong and what to set. */
    String problem() {
        return problem;
    }

    ProviderCheck check() {
        return found() ? ProviderCheck.ok(Verda.NAME, source) : ProviderCheck.missing(Verda.NAME, problem);
    }

    @Override
    public String toString() {
        return found() ? "Verda client " + clientId + " (from " + source + ")" : "no Verda credentials";
    }
}
