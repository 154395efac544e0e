package dev.skyward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code skyward check} and {@code skyward offers} find AWS through the skyward-aws module on the
 * classpath (its descriptor and its own catalog), in a JVM started the way users start it: no flags.
 */
class AwsInTheCliTest {

    record Result(int code, String output) {
    }

    static Result skyward(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), SkywardCli.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        pb.environment().put("AWS_CONFIG_FILE", "/dev/null");
        pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    @Test
    void checkNamesTheAwsCredentialSourceOrSaysWhatToSet() throws Exception {
        Result found = skyward(Map.of("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE01", "AWS_SECRET_ACCESS_KEY",
                "do-not-print-me"), "check", "--provider", "aws");
        assertThat(found.output()).containsPattern("aws +ok +env AWS_ACCESS_KEY_ID").doesNotContain("do-not-print-me");
        assertThat(found.code()).as(found.output()).isZero();

        Result missing = skyward(Map.of(), "check", "--provider", "aws");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.output()).containsPattern("aws +missing +no AWS credentials found; set AWS_ACCESS_KEY_ID");
    }

    @Test
    void offersListAwsRowsFromTheModulesOwnCatalog() throws Exception {
        Result r = skyward(Map.of(), "offers", "--provider", "aws", "-a", "H100:8", "--region", "us-east-1");
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(r.output()).contains("p5.48xlarge").contains("us-east-1").contains("aws (built-in)")
                .doesNotContain("digitalocean  ");
    }
}
