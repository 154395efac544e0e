package dev.skyward.digitalocean;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.spi.ProviderCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the DigitalOcean token is found, and what the check says when it is not. */
class DigitalOceanTokenTest {

    @TempDir
    Path home;

    @Test
    void environmentFirstThenDoctlsConfig() throws Exception {
        assertThat(DigitalOceanToken.lookup(Map.of("DIGITALOCEAN_TOKEN", "a", "DIGITALOCEAN_ACCESS_TOKEN", "b"), home))
                .isEqualTo(new DigitalOceanToken("a", "env DIGITALOCEAN_TOKEN"));
        assertThat(DigitalOceanToken.lookup(Map.of("DIGITALOCEAN_ACCESS_TOKEN", "b"), home).source())
                .isEqualTo("env DIGITALOCEAN_ACCESS_TOKEN");
        Path file = Files.createDirectories(home.resolve(".config/doctl")).resolve("config.yaml");
        Files.writeString(file, "context: team\nauth-contexts:\n  default: dop_v1_default\n  team: dop_v1_team\n");
        assertThat(DigitalOceanToken.lookup(Map.of(), home))
                .isEqualTo(new DigitalOceanToken("dop_v1_team", file + " (auth-contexts.team)"));
        Files.writeString(file, "access-token: dop_v1_main\n");
        assertThat(DigitalOceanToken.lookup(Map.of(), home).check())
                .isEqualTo(ProviderCheck.ok("digitalocean", file + " (access-token)"));
        Path xdg = Files.createDirectories(home.resolve("xdg/doctl"));
        Files.writeString(xdg.resolve("config.yaml"), "access-token: dop_v1_xdg\n");
        assertThat(DigitalOceanToken.lookup(Map.of("XDG_CONFIG_HOME", home.resolve("xdg").toString()), home).token())
                .isEqualTo("dop_v1_xdg");
    }

    @Test
    void noTokenSaysExactlyWhatToSet() {
        ProviderCheck c = DigitalOceanToken.lookup(Map.of(), home).check();
        assertThat(c.ok()).isFalse();
        assertThat(c.message()).startsWith("no DigitalOcean token found; set DIGITALOCEAN_TOKEN")
                .contains("doctl auth init");
        assertThat(DigitalOcean.builder().environment(Map.of()).build().check().ok()).isFalse();
        assertThat(DigitalOceanToken.lookup(Map.of("DIGITALOCEAN_TOKEN", "secret"), home).toString())
                .doesNotContain("secret");
    }
}
