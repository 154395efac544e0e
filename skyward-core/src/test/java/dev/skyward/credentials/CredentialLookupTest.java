package dev.skyward.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.spi.ProviderCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credentials are found where the clouds' own tools keep them; when missing, the check says what to set. */
class CredentialLookupTest {

    @TempDir
    Path home;

    private CredentialLookup lookup(Map<String, String> env) {
        return new CredentialLookup(env, home);
    }

    private Path write(String relative, String content) throws Exception {
        Path f = home.resolve(relative);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
        return f;
    }

    @Test
    void nothingConfiguredSaysWhatToSetForEachProvider() {
        CredentialLookup none = lookup(Map.of());

        assertThat(none.check("verda").message()).startsWith("no Verda credentials found; set VERDA_CLIENT_ID and "
                + "VERDA_CLIENT_SECRET");
    }

    @Test
    void environmentVariablesComeFirst() {
        CredentialLookup env = lookup(Map.of("DATACRUNCH_CLIENT_ID", "id", "DATACRUNCH_CLIENT_SECRET", "sec"));

        assertThat(env.verda().orElseThrow().values()).containsEntry("client_id", "id").containsEntry("client_secret", "sec");
        assertThat(env.verda().orElseThrow().toString()).doesNotContain("sec\"").doesNotContain("=sec");
    }

    @Test
    void halfAPairIsNamed() {
        assertThat(lookup(Map.of("VERDA_CLIENT_ID", "id")).check("verda").message())
                .isEqualTo("VERDA_CLIENT_ID is set but VERDA_CLIENT_SECRET is not; set both");
    }

    @Test
    void verdaConfigJson() throws Exception {
        Path file = write(".verda/config.json", "{\"client_id\": \"abc\", \"client_secret\": \"def\"}");

        assertThat(lookup(Map.of()).check("verda")).isEqualTo(ProviderCheck.ok("verda", file.toString()));

        write(".verda/config.json", "{\"client_id\": \"abc\"}");
        assertThat(lookup(Map.of()).check("verda").message()).startsWith(file + " lacks client_secret; ");
    }
}
