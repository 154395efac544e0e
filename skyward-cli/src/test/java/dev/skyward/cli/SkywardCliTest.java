package dev.skyward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skyward.offer.Catalog;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code skyward} command as a user runs it, over the built-in catalogs. */
class SkywardCliTest {

    @TempDir
    static Path home;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void builtInCatalogsOnly() {
        System.setProperty(Catalog.DIR_PROPERTY, home.resolve("no-catalogs").toString());
    }

    @AfterAll
    static void clear() {
        System.clearProperty(Catalog.DIR_PROPERTY);
    }

    private int run(Map<String, String> env, String... args) {
        return SkywardCli.run(new PrintWriter(out), new PrintWriter(err), args);
    }

    @Test
    void offersListsTheCheapestFirst() {
        int code = run(Map.of(), "offers", "--accelerator", "H100:8");

        assertThat(code).isZero();
        String[] lines = out.toString().split("\n");
        assertThat(lines[0]).startsWith("PROVIDER").contains("INSTANCE TYPE", "REGION", "$/H");
        assertThat(lines[1]).startsWith("verda").contains("8H100.80S.176V", "FIN-03", "on-demand", "15.92");
        assertThat(out.toString()).contains("13 offers; catalogs: aws (built-in), digitalocean (built-in), verda (built-in)");
    }

    @Test
    void offersFiltersAndPrintsJson() throws Exception {
        int code = run(Map.of(), "offers", "-a", "nvidia_h100", "--count", "8", "--spot", "--provider", "aws",
                "--region", "us-west-2", "--nodes", "2", "--json");

        assertThat(code).isZero();
        JsonNode rows = new ObjectMapper().readTree(out.toString());
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).get("zone").asText()).isEqualTo("us-west-2a");
        assertThat(rows.get(0).get("pricePerHour").asDouble()).isEqualTo(14.88);
        assertThat(rows.get(0).get("totalPerHour").asDouble()).isEqualTo(29.76);
        assertThat(rows.get(0).get("spot").asBoolean()).isTrue();
    }

    @Test
    void aNegativeOrZeroPriceLimitIsAUsageError() {
        assertThat(run(Map.of(), "offers", "--max-price", "-1")).isEqualTo(2);
        assertThat(err.toString()).contains("--max-price must be a positive number of USD per node and hour, was -1");
        assertThat(run(Map.of(), "offers", "--max-price", "0")).isEqualTo(2);
        assertThat(run(Map.of(), "offers", "--max-price", "NaN")).isEqualTo(2);
    }

    @Test
    void aTypoIsAUsageErrorWithSuggestions() {
        assertThat(run(Map.of(), "offers", "-a", "H10")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown accelerator 'H10'; did you mean H100, H200?");
    }

    @Test
    void anImpossibleFilterSaysWhichOne() {
        assertThat(run(Map.of(), "offers", "-a", "H100:3")).isEqualTo(1);
        assertThat(err.toString()).contains("no provider offers H100:3; counts offered: 1, 2, 4, 8");
    }

    @Test
    void acceleratorsListsWhoOffersWhat() {
        assertThat(run(Map.of(), "accelerators")).isZero();

        assertThat(out.toString()).containsPattern("H100 +80 GiB +nvidia +aws 1,8; digitalocean 1,8; verda 1,2,4,8");
        assertThat(out.toString()).containsPattern("MI300X +192 GiB +amd +digitalocean 1,8");
    }

    @Test
    void checkSaysWhereCredentialsWereFoundAndWhatToSetOtherwise() throws Exception {
        // Every provider module's descriptor looks in the real environment: a child JVM gets the one to test.
        String out = cli(Map.of("VERDA_CLIENT_ID", "id", "VERDA_CLIENT_SECRET", "sec"), "check");
        assertThat(out)
                .containsPattern("local +ok +this machine")
                .containsPattern("aws +missing +no AWS credentials found; set AWS_ACCESS_KEY_ID")
                .containsPattern("verda +ok +env VERDA_CLIENT_ID")
                .containsPattern("digitalocean +missing +no DigitalOcean token found")
                .doesNotContain("sec\n");
        assertThat(run(Map.of(), "check", "--provider", "nosuchcloud")).isEqualTo(2);
        assertThat(err.toString()).contains("no provider named 'nosuchcloud' on the classpath");
    }

    @Test
    void checkFindsTheDigitalOceanModuleAndSaysWhereItsTokenCameFrom() throws Exception {
        // As a user runs it: a JVM without flags, the token in its environment, read by the module's descriptor.
        String out = cli(Map.of("DIGITALOCEAN_TOKEN", "dop_v1_x"), "check", "--provider", "digitalocean");
        assertThat(out).contains("digitalocean  ok       env DIGITALOCEAN_TOKEN").doesNotContain("dop_v1_x");

        String missing = cli(Map.of(), "check", "--provider", "digitalocean");
        assertThat(missing).contains("digitalocean  missing  no DigitalOcean token found; set DIGITALOCEAN_TOKEN");
    }

    @Test
    void offersShowDigitalOceanRowsFromItsModulesCatalog() {
        assertThat(dev.skyward.spi.ProviderDescriptors.names()).contains("digitalocean");
        int code = run(Map.of(), "offers", "--provider", "digitalocean", "-a", "MI300X:8");

        assertThat(code).isZero();
        assertThat(out.toString()).contains("digitalocean", "gpu-mi300x8-1536gb", "atl1", "15.92")
                .contains("1 offer; catalogs: digitalocean (built-in)");
    }

    /** Runs {@code skyward ARGS} in a child JVM with only these cloud variables and an empty home. */
    private static String cli(Map<String, String> env, String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home, "-cp", System.getProperty("java.class.path"), SkywardCli.class.getName()));
        cmd.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("DIGITALOCEAN_") || k.startsWith("AWS_")
                || k.startsWith("VERDA_") || k.startsWith("DATACRUNCH_") || k.equals("XDG_CONFIG_HOME")
                || k.equals("SKYWARD_SSH_CONFIG"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return text;
    }
}
