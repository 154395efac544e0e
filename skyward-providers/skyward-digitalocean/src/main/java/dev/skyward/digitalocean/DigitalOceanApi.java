package dev.skyward.digitalocean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyward.spi.ProviderException;
import dev.skyward.spi.ProviderException.Kind;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DigitalOcean's REST API as this provider uses it: bearer token, JSON bodies, paging through
 * {@code links.pages.next}, a 429 waited out until {@code ratelimit-reset} (within a bound), and every
 * error turned into a {@link ProviderException} of the right kind.
 */
final class DigitalOceanApi {

    private static final Logger log = LoggerFactory.getLogger(DigitalOceanApi.class);
    private static final MediaType JSON = MediaType.get("application/json");
    private static final int PER_PAGE = 200;
    private static final int IDEMPOTENT_RETRIES = 3;

    private final HttpUrl base;
    private final String token;
    private final String tokenSource;
    private final OkHttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final Duration maxRateLimitWait;
    private final Clock clock;

    DigitalOceanApi(String baseUrl, String token, String tokenSource, OkHttpClient http, Duration maxRateLimitWait,
            Clock clock) {
        HttpUrl parsed = HttpUrl.parse(baseUrl);
        if (parsed == null) {
            throw new IllegalArgumentException("not an http(s) URL: " + baseUrl);
        }
        this.base = parsed;
        this.token = token;
        this.tokenSource = tokenSource;
        this.http = http;
        this.maxRateLimitWait = maxRateLimitWait;
        this.clock = clock;
    }

    /** The base URL, e.g. {@code https://api.digitalocean.com}. */
    HttpUrl base() {
        return base;
    }

    JsonNode get(String path, Map<String, String> query) {
        return call("GET", url(path, query), null, Map.of());
    }

    JsonNode post(String path, JsonNode body) {
        return call("POST", url(path, Map.of()), body, Map.of());
    }

    void delete(String path, Map<String, String> headers) {
        call("DELETE", url(path, Map.of()), null, headers);
    }

    /**
     * Every item of a paged list.
     *
     * @param path e.g. {@code /v2/droplets}
     * @param query filters
     * @param key the array's name in the body, e.g. {@code droplets}
     * @return all items of all pages
     */
    List<JsonNode> list(String path, Map<String, String> query, String key) {
        Map<String, String> q = new java.util.LinkedHashMap<>(query);
        q.put("per_page", Integer.toString(PER_PAGE));
        HttpUrl next = url(path, q);
        List<JsonNode> items = new ArrayList<>();
        for (int page = 0; next != null; page++) {
            if (page > 1000) {
                throw new ProviderException(Kind.FATAL, "DigitalOcean kept returning pages for " + path);
            }
            JsonNode body = call("GET", next, null, Map.of());
            body.path(key).forEach(items::add);
            String link = body.path("links").path("pages").path("next").asText(null);
            next = link == null || link.isEmpty() ? null : resolve(link);
        }
        return items;
    }

    /** A next-page link, kept on our base URL's scheme, host and port (a proxy or fake may rewrite hosts). */
    private HttpUrl resolve(String link) {
        HttpUrl u = base.resolve(link);
        if (u == null) {
            throw new ProviderException(Kind.FATAL, "DigitalOcean returned an unusable next-page link: " + link);
        }
        return u.newBuilder().scheme(base.scheme()).host(base.host()).port(base.port()).build();
    }

    private HttpUrl url(String path, Map<String, String> query) {
        HttpUrl.Builder b = base.newBuilder().encodedPath(path);
        query.forEach(b::addQueryParameter);
        return b.build();
    }

    private JsonNode call(String method, HttpUrl url, JsonNode body, Map<String, String> headers) {
        boolean idempotent = !method.equals("POST");
        long rateLimitDeadline = System.nanoTime() + maxRateLimitWait.toNanos();
        int failures = 0;
        while (true) {
            Request.Builder rb = new Request.Builder().url(url)
                    .header("Authorization", "Bearer " + token)
                    .header("Accept", "application/json");
            headers.forEach(rb::header);
            if (body != null) {
                rb.method(method, RequestBody.create(body.toString(), JSON));
            } else {
                rb.method(method, null);
            }
            try (Response r = http.newCall(rb.build()).execute()) {
                String text = r.body() == null ? "" : r.body().string();
                if (r.isSuccessful()) {
                    return text.isBlank() ? json.createObjectNode() : json.readTree(text);
                }
                ApiError error = ApiError.parse(json, r.code(), text);
                if (r.code() == 429) {
                    Duration wait = untilReset(r.header("ratelimit-reset"));
                    if (System.nanoTime() + wait.toNanos() <= rateLimitDeadline) {
                        log.info("DigitalOcean rate limit reached ({}); waiting {} s until ratelimit-reset",
                                error.message(), Math.max(1, wait.toSeconds()));
                        sleep(wait);
                        continue;
                    }
                    throw new ProviderException(Kind.TRANSIENT, "DigitalOcean API rate limit exceeded (429 "
                            + error.id() + ": " + error.message() + ") and it resets only in " + wait.toSeconds()
                            + " s, beyond the " + maxRateLimitWait.toSeconds() + " s this client waits; the account "
                            + "allows 5000 requests an hour and 250 a minute: try again later");
                }
                if (r.code() >= 500 && idempotent && ++failures <= IDEMPOTENT_RETRIES) {
                    log.debug("{} {} -> {}; retrying", method, url.encodedPath(), r.code());
                    sleep(Duration.ofMillis(200L * failures));
                    continue;
                }
                throw classify(method, url, error);
            } catch (IOException e) {
                if (idempotent && ++failures <= IDEMPOTENT_RETRIES) {
                    sleep(Duration.ofMillis(200L * failures));
                    continue;
                }
                throw new ProviderException(Kind.TRANSIENT, "cannot reach DigitalOcean at " + base + " (" + method
                        + " " + url.encodedPath() + "): " + e.getMessage(), e);
            }
        }
    }

    private ProviderException classify(String method, HttpUrl url, ApiError e) {
        String what = "DigitalOcean " + method + " " + url.encodedPath() + " failed: " + e.status() + " " + e.id()
                + ": " + e.message().replaceAll("\\.+$", "");
        String m = e.message().toLowerCase(Locale.ROOT);
        if (e.status() == 401 || e.status() == 403) {
            return new DigitalOceanException(Kind.CREDENTIALS, e, what + ". The token (from " + tokenSource
                    + ") was " + (e.status() == 401 ? "rejected" : "denied this call") + "; create a token with the "
                    + "droplet, ssh_key, sizes and tag scopes at https://cloud.digitalocean.com/account/api/tokens and "
                    + "set DIGITALOCEAN_TOKEN");
        }
        if (e.status() == 422 && m.contains("droplet limit")) {
            return new DigitalOceanException(Kind.QUOTA, e, what + ". The account's droplet limit is reached: delete "
                    + "droplets you no longer need or ask DigitalOcean support to raise the limit (see droplet_limit "
                    + "in GET /v2/account)");
        }
        if (e.status() == 422 && (m.contains("not available in this region") || m.contains("capacity"))) {
            return new DigitalOceanException(Kind.CAPACITY, e, what);
        }
        if (e.status() == 429 || e.status() >= 500) {
            return new DigitalOceanException(Kind.TRANSIENT, e, what);
        }
        return new DigitalOceanException(Kind.FATAL, e, what);
    }

    private Duration untilReset(String header) {
        try {
            long reset = Long.parseLong(header == null ? "" : header.trim());
            long ms = reset * 1000 - clock.millis();
            // ratelimit-reset has a one-second resolution: wait into the next second.
            return Duration.ofMillis(Math.max(0, ms) + 250);
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(1);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(Kind.FATAL, "interrupted while waiting for DigitalOcean", e);
        }
    }

    /** DigitalOcean's error body: {@code {"id", "message", "request_id"?}}. */
    record ApiError(int status, String id, String message) {

        static ApiError parse(ObjectMapper json, int status, String body) {
            try {
                JsonNode n = json.readTree(body);
                if (n != null && n.has("message")) {
                    return new ApiError(status, n.path("id").asText("error"), n.path("message").asText());
                }
            } catch (IOException | RuntimeException notJson) {
                // fall through
            }
            String shown = body.length() > 200 ? body.substring(0, 200) + "..." : body;
            return new ApiError(status, "error", shown.isBlank() ? "HTTP " + status : shown.strip());
        }
    }

    /** A failed API call, with DigitalOcean's status and error id for callers that react to them. */
    static final class DigitalOceanException extends ProviderException {
        private static final long serialVersionUID = 1L;
        private final transient ApiError error;

        DigitalOceanException(Kind kind, ApiError error, String message) {
            super(kind, message);
            this.error = error;
        }

        ApiError error() {
            return error;
        }
    }
}
