package dev.skyward.credentials;

import java.util.Map;

/**
 * Credentials found for a provider, and where. {@link #toString()} never shows the secrets.
 *
 * <pre>{@code
 * FoundCredentials c = CredentialLookup.system().verda().orElseThrow();
 * String token = c.value("token");
 * log.info("using {}", c.source());        // e.g. "env DIGITALOCEAN_TOKEN"
 * }</pre>
 *
 * @param provider provider name
 * @param source where they came from, e.g. {@code env DIGITALOCEAN_TOKEN} or a file path
 * @param values the secrets by name ({@code token}; {@code client_id}, {@code client_secret};
 *     {@code profile} for AWS, whose SDK reads the secrets itself)
 */
public record FoundCredentials(String provider, String source, Map<String, String> values) {

    /** Copies the values. */
    public FoundCredentials {
        values = Map.copyOf(values);
    }

    /**
     * @param name e.g. {@code token}
     * @return the value, or {@code null}
     */
    public String value(String name) {
        return values.get(name);
    }

    @Override
    public String toString() {
        return "FoundCredentials[" + provider + " from " + source + ", values " + values.keySet() + "]";
    }
}
