package dev.skyward.verda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyward.spi.ProviderException.Kind;
import java.util.List;
import java.util.Locale;

/**
 * Turns Verda's error answers into the failover kinds. Verda has no dedicated capacity code: capacity
 * problems arrive as messages ("not enough capacity", "not available", "out of stock", ...), so they are
 * recognised by keyword (as SkyPilot's Verda provisioner does). Funds and quota stop a region, bad
 * credentials the whole provider, throttles and server errors are worth retrying.
 */
final class VerdaErrors {

    private static final List<String> CAPACITY_WORDS = List.of("no capacity", "capacity", "unavailable",
            "out of stock", "not available", "quota exceeded", "limit exceeded", "no_capacity");

    private VerdaErrors() {
    }

    /** Verda's error body, or a short excerpt of a body that is not JSON (a proxy's HTML page). */
    record Body(String code, String message) {
    }

    static Body parse(ObjectMapper json, String text) {
        if (text != null && text.strip().startsWith("{")) {
            try {
                JsonNode n = json.readTree(text);
                String code = n.path("code").asText("");
                String message = n.path("message").asText("");
                String details = n.path("details").isMissingNode() || n.path("details").isNull() ? ""
                        : n.path("details").isTextual() ? n.path("details").asText() : n.path("details").toString();
                if (!code.isEmpty() || !message.isEmpty()) {
                    return new Body(code, details.isEmpty() ? message : message + " (" + details + ")");
                }
            } catch (java.io.IOException | RuntimeException notJson) {
                // fall through to the excerpt
            }
        }
        String plain = text == null ? "" : text.replaceAll("(?s)<[^>]*>", " ").replaceAll("\\s+", " ").strip();
        return new Body("", plain.length() > 200 ? plain.substring(0, 200) + "..." : plain);
    }

    static Kind classify(int status, String code, String message) {
        String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
        String c = code == null ? "" : code.toLowerCase(Locale.ROOT);
        if (status == 401 || c.equals("unauthorized_request") || c.equals("invalid_client")) {
            return Kind.CREDENTIALS;
        }
        if (c.equals("insufficient_funds") || m.contains("insufficient funds") || m.contains("insufficient balance")
                || status == 402) {
            return Kind.QUOTA;
        }
        if (status == 429 || status >= 500 || c.equals("server_error") || c.equals("service_unavailable")) {
            return Kind.TRANSIENT;
        }
        for (String w : CAPACITY_WORDS) {
            if (m.contains(w)) {
                return Kind.CAPACITY;
            }
        }
        if (status == 403) {
            return Kind.CREDENTIALS;
        }
        return Kind.FATAL;
    }
}
