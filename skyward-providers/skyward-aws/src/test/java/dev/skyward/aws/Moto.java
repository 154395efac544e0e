package dev.skyward.aws;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * moto on loopback, started through the project's launcher (test resource {@code moto_launcher.py}),
 * with its extras: injected errors, eventual consistency, DependencyViolation, shutdown.
 *
 * <p>When {@code CI=true} moto must be there; elsewhere the tests skip with how to enable them.
 */
final class Moto implements AutoCloseable {

    static final String REGION = "us-east-1";
    static final String KEY = "AKIASKYWARDTESTKEY01";
    static final String SECRET = "skyward-test-secret";

    private final Process process;
    private final URI endpoint;
    private final Ec2Client ec2;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Moto(Process process, int port) {
        this.process = process;
        this.endpoint = URI.create("http://127.0.0.1:" + port);
        this.ec2 = Ec2Client.builder().endpointOverride(endpoint).region(Region.of(REGION))
                .credentialsProvider(credentials()).build();
    }

    static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, SECRET));
    }

    /** Starts moto, or skips the calling test (fails under CI) when python3 has no moto. */
    static Moto start() throws IOException, InterruptedException {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        Process probe = new ProcessBuilder("python3", "-c", "import moto, werkzeug").redirectErrorStream(true).start();
        String probeOut = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean present = probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0;
        if (!present && ci) {
            throw new IllegalStateException("CI=true and python3 cannot import moto: " + probeOut.strip()
                    + " — the AWS tests need moto 5.x (pip install 'moto[server]')");
        }
        assumeTrue(present, "moto is not installed for python3, so the AWS tests are skipped; enable them with "
                + "`pip install 'moto[server]'` (they are required when CI=true)");
        Path script = Files.createTempFile("skyward-moto-", ".py");
        try (InputStream in = Moto.class.getResourceAsStream("moto_launcher.py")) {
            Files.write(script, in.readAllBytes());
        }
        ProcessBuilder pb = new ProcessBuilder("python3", script.toString());
        // moto's own strictness: unknown instance types are refused, as AWS does.
        pb.environment().put("MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION", "true");
        // moto's request log stays with the build's output (target/), where a failed test's reader looks.
        Path logs = Files.isDirectory(Path.of("target")) ? Path.of("target") : Path.of(System.getProperty("java.io.tmpdir"));
        Path log = Files.createTempFile(logs, "moto-", ".log");
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        Files.deleteIfExists(script);
        if (line == null || !line.startsWith("PORT ")) {
            p.destroyForcibly();
            throw new IOException("moto launcher did not start: " + line);
        }
        return new Moto(p, Integer.parseInt(line.substring(5).trim()));
    }

    URI endpoint() {
        return endpoint;
    }

    int port() {
        return endpoint.getPort();
    }

    /** A client of moto for the test's own checks. */
    Ec2Client ec2() {
        return ec2;
    }

    /** The provider pointed at moto: static test credentials, fixed region, nothing read from the machine. */
    Aws.Builder aws() {
        return Aws.builder().endpointOverride(endpoint).credentials(credentials()).region(REGION)
                .backoff(Duration.ofMillis(50), Duration.ofMillis(400)).terminateTimeout(Duration.ofSeconds(60));
    }

    /** Answers matching requests with an AWS error. */
    void failWith(String action, Map<String, String> params, String status, String code, String message, int times) {
        rule(action, params, status, code, message, times, false);
    }

    /** Lets matching requests take effect, then answers them with an AWS error (an answer lost after the fact). */
    void failAfter(String action, String status, String code, String message) {
        rule(action, Map.of(), status, code, message, 0, true);
    }

    private void rule(String action, Map<String, String> params, String status, String code, String message, int times,
            boolean after) {
        StringBuilder p = new StringBuilder("{");
        params.forEach((k, v) -> p.append(p.length() > 1 ? "," : "").append(json(k)).append(':').append(json(v)));
        p.append('}');
        post("/_skyward/rules", "{\"action\":" + json(action) + ",\"params\":" + p + ",\"status\":" + json(status)
                + ",\"code\":" + json(code) + ",\"message\":" + json(message) + (times > 0 ? ",\"times\":" + times : "")
                + ",\"after\":" + after + "}");
    }

    void rejectKey(String accessKeyId) {
        post("/_skyward/bad-keys", "{\"key\":" + json(accessKeyId) + "}");
    }

    /**
     * AWS no longer offers this type in this zone (every zone when {@code zone} is empty):
     * DescribeInstanceTypeOfferings leaves it out, until {@link #clear()}.
     */
    void withdrawOffering(String instanceType, String zone) {
        post("/_skyward/withdraw", "{\"type\":" + json(instanceType) + ",\"location\":" + json(zone) + "}");
    }

    void invisibleFor(Duration d) {
        post("/_skyward/consistency", "{\"invisible_ms\":" + d.toMillis() + "}");
    }

    void groupsBusyAfterTermination(int times) {
        post("/_skyward/group-busy", "{\"times\":" + times + "}");
    }

    /** Back to plain moto behaviour (state is kept). */
    void clear() {
        post("/_skyward/clear", "");
    }

    /** The parameters of each request of this action the fake saw since the last clear, in order. */
    List<Map<String, String>> requests(String action) {
        List<Map<String, String>> out = new ArrayList<>();
        try {
            for (var r : new com.fasterxml.jackson.databind.ObjectMapper().readTree(post("/_skyward/requests", ""))
                    .path("requests")) {
                if (r.path("action").asText().equals(action)) {
                    Map<String, String> params = new java.util.TreeMap<>();
                    r.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().isTextual()
                            ? e.getValue().asText() : e.getValue().toString()));
                    out.add(params);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** What a bash one-liner on an instance runs to tell EC2 its OS shut down (see the launcher). */
    String shutdownScript(String ip) {
        return "#!/bin/bash\nexec 3<>/dev/tcp/127.0.0.1/" + port() + " || exit 1\n"
                + "printf 'POST /_skyward/shutdown?ip=" + ip + "&region=" + REGION
                + " HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\nContent-Length: 0\\r\\n\\r\\n' >&3\ncat <&3 >/dev/null\n";
    }

    String post(String path, String body) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint.resolve(path))
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public void close() {
        ec2.close();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
