package dev.skyward.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.offer.Catalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI carries skyward-verda: {@code skyward check} asks Verda's own descriptor (core no longer knows
 * where Verda keeps credentials) and {@code skyward offers} lists Verda from the module's catalog. Run
 * as users run it: a child JVM with no flags.
 */
class VerdaInCliTest {

    @TempDir
    Path home;

    private String cli(java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new java.util.ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java",
                "-Duser.home=" + home, "-cp", cp, "dev.skyward.cli.SkywardCli"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("VERDA_") || k.startsWith("DATACRUNCH_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void checkFindsVerdaCredentialsThroughTheModulesOwnLookupAndNeverPrintsTheSecret() throws Exception {
        String out = cli(java.util.Map.of("VERDA_CLIENT_ID", "cli-id", "VERDA_CLIENT_SECRET", "cli-secret-123"),
                "check", "--provider", "verda");
        assertThat(out).containsPattern("verda +ok +env VERDA_CLIENT_ID").doesNotContain("cli-secret-123");
        String legacy = cli(java.util.Map.of("DATACRUNCH_CLIENT_ID", "x"), "check", "--provider", "verda");
        assertThat(legacy).contains("DATACRUNCH_CLIENT_ID is set but DATACRUNCH_CLIENT_SECRET is not");
    }

    @Test
    void offersListVerdaFromTheCatalogTheVerdaModuleShips() throws Exception {
        assertThat(Catalog.class.getClassLoader().getResource("dev/skyward/catalogs/verda.csv").toString())
                .as("the catalog comes from the skyward-verda module, not core").contains("skyward-verda");
        String out = cli(java.util.Map.of(), "offers", "--accelerator", "H200:8", "--provider", "verda");
        assertThat(out).containsPattern("verda +8H200.141S.176V +.*FIN-03").contains("verda (built-in)");
    }
}
