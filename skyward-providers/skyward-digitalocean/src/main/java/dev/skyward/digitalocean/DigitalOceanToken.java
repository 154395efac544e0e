package dev.skyward.digitalocean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.skyward.spi.ProviderCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Finds the DigitalOcean API token people already have, without any network call. In order:
 * {@code DIGITALOCEAN_TOKEN}, {@code DIGITALOCEAN_ACCESS_TOKEN}, doctl's {@code config.yaml}
 * ({@code $XDG_CONFIG_HOME/doctl/} or {@code ~/.config/doctl/}: {@code access-token}, else the entry
 * of {@code auth-contexts} named by {@code context}, else {@code default}, else the first).
 *
 * @param token the token, or {@code null} when none was found
 * @param source where it was found (e.g. {@code env DIGITALOCEAN_TOKEN}), or what is wrong and what to set
 */
record DigitalOceanToken(String token, String source) {

    static final String HELP = "set DIGITALOCEAN_TOKEN (or DIGITALOCEAN_ACCESS_TOKEN) to an API token from "
            + "https://cloud.digitalocean.com/account/api/tokens (scopes: droplet, ssh_key, sizes, tag), or run "
            + "`doctl auth init`";

    /** Whether a token was found. */
    boolean found() {
        return token != null;
    }

    /** The check {@code skyward check} prints. */
    ProviderCheck check() {
        return found() ? ProviderCheck.ok(DigitalOcean.NAME, source) : ProviderCheck.missing(DigitalOcean.NAME, source);
    }

    /** Looks in this process's environment and the user's home. */
    static DigitalOceanToken system() {
        return lookup(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * @param env environment variables
     * @param home the user's home directory
     * @return the token and where it came from, or why there is none
     */
    static DigitalOceanToken lookup(Map<String, String> env, Path home) {
        for (String name : List.of("DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN")) {
            String v = env.get(name);
            if (v != null && !v.isBlank()) {
                return new DigitalOceanToken(v.strip(), "env " + name);
            }
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path file = (xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".config"))
                .resolve("doctl").resolve("config.yaml");
        if (!Files.isRegularFile(file)) {
            return new DigitalOceanToken(null, "no DigitalOcean token found; " + HELP);
        }
        try {
            JsonNode root = new YAMLMapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
            String token = text(root == null ? null : root.get("access-token"));
            if (token != null) {
                return new DigitalOceanToken(token, file + " (access-token)");
            }
            JsonNode contexts = root == null ? null : root.get("auth-contexts");
            if (contexts != null && contexts.isObject()) {
                List<String> order = new ArrayList<>();
                String current = text(root.get("context"));
                if (current != null) {
                    order.add(current);
                }
                order.add("default");
                for (Iterator<String> it = contexts.fieldNames(); it.hasNext();) {
                    order.add(it.next());
                }
                for (String name : order) {
                    String t = text(contexts.get(name));
                    if (t != null) {
                        return new DigitalOceanToken(t, file + " (auth-contexts." + name + ")");
                    }
                }
            }
            return new DigitalOceanToken(null, file + " has no access-token; " + HELP);
        } catch (IOException | RuntimeException e) {
            return new DigitalOceanToken(null, "cannot read " + file + ": " + e.getMessage() + "; " + HELP);
        }
    }

    private static String text(JsonNode n) {
        return n != null && n.isTextual() && !n.asText().isBlank() ? n.asText().strip() : null;
    }

    @Override
    public String toString() {
        // Never print the token itself.
        return "DigitalOceanToken[" + source + "]";
    }
}
