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

        assertThat(none.check("aws")).satisfies(c -> {
            assertThat(c.ok()).isFalse();
            assertThat(c.message()).startsWith("no AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
        });
        assertThat(none.check("verda").message()).as("Verda's lookup lives in skyward-verda")
                .startsWith("no credential lookup for provider 'verda'");
    }

    @Test
    void environmentVariablesComeFirst() {
        CredentialLookup env = lookup(Map.of("AWS_ACCESS_KEY_ID", "AKIA", "AWS_SECRET_ACCESS_KEY", "s"));

        assertThat(env.check("aws")).isEqualTo(ProviderCheck.ok("aws", "env AWS_ACCESS_KEY_ID"));
    }

    @Test
    void halfAPairIsNamed() {
        assertThat(lookup(Map.of("AWS_SECRET_ACCESS_KEY", "s")).check("aws").message())
                .isEqualTo("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; set both");
    }

    @Test
    void awsProfilesInTheCredentialsAndConfigFiles() throws Exception {
        Path creds = write(".aws/credentials", "[default]\naws_access_key_id = AKIA\naws_secret_access_key = x\n");
        Path config = write(".aws/config", "[profile work]\nsso_session = corp\nregion = us-east-1\n");

        assertThat(lookup(Map.of()).check("aws").source()).isEqualTo(creds + " [default]");
        assertThat(lookup(Map.of("AWS_PROFILE", "work")).check("aws").source())
                .isEqualTo(config + " [profile work] (sso_session)");
        assertThat(lookup(Map.of("AWS_PROFILE", "nope")).check("aws").message())
                .startsWith("AWS_PROFILE is 'nope' but neither " + creds + " [nope] nor " + config
                        + " [profile nope] has credentials");
    }

}
