package dev.skyward.verda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skyward.spi.ProviderException;
import dev.skyward.spi.ProviderException.Kind;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * Verda's REST API as this provider uses it: OAuth2 client credentials ({@code POST /oauth2/token}),
 * the access token refreshed before it expires and fetched anew once when a call answers 401, JSON
 * bodies, throttles and server errors retried with backoff on calls that are safe to repeat, and every
 * error turned into a {@link VerdaException} of the right {@link Kind}. Tokens and the client secret are
 * never logged.
 */
final class VerdaApi {

    private static final Logger log = LoggerFactory.getLogger(VerdaApi.class);
    private static final MediaType JSON = MediaType.get("application/json");

    private final HttpUrl base;
    private final VerdaCredentials credentials;
    private final OkHttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final Duration retryBackoff;
    private final int retries;
    private final Clock clock;

    private String accessToken;
    private String refreshToken;
    private Instant refreshAt = Instant.MIN;

    /** An answer: the HTTP status and the body as text. */
    record Answer(int status, String text) {
    }

    VerdaApi(HttpUrl base, VerdaCredentials credentials, OkHttpClient http, Duration retryBackoff, int retries,
            Clock clock) {
        this.base = base;
        this.credentials = credentials;
        this.http = http;
        this.retryBackoff = retryBackoff;
        this.retries = retries;
        this.clock = clock;
    }

    HttpUrl base() {
        return base;
    }

    JsonNode get(String path, Map<String, String> query) {
        Answer a = call("GET", url(path, query), null, true);
        return readJson(a, "GET " + path);
    }

    /** A call that must not be repeated blindly (a create): one attempt, the caller decides on retries. */
    Answer post(String path, JsonNode body) {
        return call("POST", url(path, Map.of()), body, false);
    }

    Answer put(String path, JsonNode body) {
        return call("PUT", url(path, Map.of()), body, true);
    }

    Answer delete(String path) {
        return call("DELETE", url(path, Map.of()), null, true);
    }

    JsonNode readJson(Answer a, String what) {
        if (a.text().isBlank()) {
            return json.nullNode();
        }
        try {
            return json.readTree(a.text());
        } catch (IOException e) {
            throw new VerdaException(Kind.TRANSIENT, a.status(), "", "Verda answered " + what + " with " + a.status()
                    + " and a body that is not JSON: " + VerdaErrors.parse(json, a.text()).message());
        }
    }

    private HttpUrl url(String path, Map<String, String> query) {
        HttpUrl.Builder b = base.newBuilder().addPathSegments(path.replaceFirst("^/", ""));
        query.forEach(b::addQueryParameter);
        return b.build();
    }

    private Answer call(String method, HttpUrl url, JsonNode body, boolean repeatable) {
        int failures = 0;
        boolean reauthenticated = false;
        while (true) {
            String token = bearer();
            Request.Builder rb = new Request.Builder().url(url).header("Authorization", "Bearer " + token)
                    .header("Accept", "application/json");
            rb.method(method, body == null ? (method.equals("PUT") || method.equals("POST")
                    ? RequestBody.create("", JSON) : null) : RequestBody.create(body.toString(), JSON));
            try (Response r = http.newCall(rb.build()).execute()) {
                String text = r.body() == null ? "" : r.body().string();
                log.debug("Verda {} {} -> {}", method, url.encodedPath(), r.code());
                if (r.isSuccessful()) {
                    return new Answer(r.code(), text);
                }
                VerdaErrors.Body e = VerdaErrors.parse(json, text);
                if (r.code() == 401 && !reauthenticated) {
                    // The token expired early or was revoked: get a new one, once.
                    reauthenticated = true;
                    invalidate(token);
                    continue;
                }
                Kind kind = VerdaErrors.classify(r.code(), e.code(), e.message());
                if (kind == Kind.TRANSIENT && repeatable && ++failures <= retries) {
                    sleep(backoff(failures));
                    continue;
                }
                throw error(method, url, r.code(), e, kind);
            } catch (IOException e) {
                if (repeatable && ++failures <= retries) {
                    sleep(backoff(failures));
                    continue;
                }
                throw new VerdaException(Kind.TRANSIENT, 0, "", "cannot reach Verda at " + base + " (" + method + " "
                        + url.encodedPath() + "): " + e.getMessage());
            }
        }
    }

    private VerdaException error(String method, HttpUrl url, int status, VerdaErrors.Body e, Kind kind) {
        String what = "Verda " + method + " " + url.encodedPath() + " failed: " + status
                + (e.code().isEmpty() ? "" : " " + e.code()) + (e.message().isEmpty() ? "" : ": " + e.message());
        String hint = switch (kind) {
            case CREDENTIALS -> ". The API client " + credentials.clientId() + " (from " + credentials.source()
                    + ") was refused; check it in the Verda console, or " + VerdaCredentials.HELP;
            case QUOTA -> ". Add funds to the Verda account (console > Billing) or pick a cheaper offer";
            case CAPACITY -> ". Verda has no capacity for this right now; another location or type may";
            case TRANSIENT -> ". Verda's API is failing; try again later";
            case FATAL -> "";
        };
        return new VerdaException(kind, status, e.code(), what + hint);
    }

    private Duration backoff(int failures) {
        long ms = retryBackoff.toMillis() << Math.min(failures - 1, 5);
        return Duration.ofMillis(Math.min(ms, 10_000));
    }

    // ---- OAuth2 ----

    /** The access token, fetched or refreshed when it is missing or about to expire. */
    private synchronized String bearer() {
        if (accessToken == null || !clock.instant().isBefore(refreshAt)) {
            if (refreshToken != null) {
                try {
                    authenticate(json.createObjectNode().put("grant_type", "refresh_token")
                            .put("refresh_token", refreshToken));
                    return accessToken;
                } catch (VerdaException e) {
                    if (e.kind() == Kind.TRANSIENT) {
                        throw e;
                    }
                    log.debug("Verda token refresh refused ({}); authenticating again", e.status());
                }
            }
            authenticate(json.createObjectNode().put("grant_type", "client_credentials")
                    .put("client_id", credentials.clientId()).put("client_secret", credentials.clientSecret()));
        }
        return accessToken;
    }

    private synchronized void invalidate(String token) {
        if (token.equals(accessToken)) {
            accessToken = null;
            refreshToken = null;
        }
    }

    private void authenticate(ObjectNode grant) {
        HttpUrl url = url("/oauth2/token", Map.of());
        int failures = 0;
        while (true) {
            Request req = new Request.Builder().url(url).header("Accept", "application/json")
                    .post(RequestBody.create(grant.toString(), JSON)).build();
            try (Response r = http.newCall(req).execute()) {
                String text = r.body() == null ? "" : r.body().string();
                if (r.isSuccessful()) {
                    JsonNode t = json.readTree(text);
                    String access = t.path("access_token").asText("");
                    if (access.isEmpty()) {
                        throw new VerdaException(Kind.TRANSIENT, r.code(), "", "Verda's token endpoint answered "
                                + r.code() + " without an access_token");
                    }
                    long lifetime = Math.max(1, t.path("expires_in").asLong(3600));
                    // Refresh a fifth of the lifetime early (at most a minute), so no call goes out with a dying token.
                    long earlyMs = Math.min(60_000, lifetime * 1000 / 5);
                    accessToken = access;
                    refreshToken = t.path("refresh_token").asText(null);
                    refreshAt = clock.instant().plusMillis(lifetime * 1000 - earlyMs);
                    log.debug("Verda access token obtained ({}), valid {} s", grant.path("grant_type").asText(), lifetime);
                    return;
                }
                VerdaErrors.Body e = VerdaErrors.parse(json, text);
                Kind kind = r.code() >= 500 || r.code() == 429 ? Kind.TRANSIENT : Kind.CREDENTIALS;
                if (kind == Kind.TRANSIENT && ++failures <= retries) {
                    sleep(backoff(failures));
                    continue;
                }
                throw error("POST", url, r.code(), e, kind);
            } catch (IOException e) {
                if (++failures <= retries) {
                    sleep(backoff(failures));
                    continue;
                }
                throw new VerdaException(Kind.TRANSIENT, 0, "", "cannot reach Verda at " + base + " to authenticate: "
                        + e.getMessage());
            }
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(Kind.FATAL, "interrupted while waiting for Verda", e);
        }
    }
}
