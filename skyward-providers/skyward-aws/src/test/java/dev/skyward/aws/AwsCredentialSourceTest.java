package dev.skyward.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.spi.ProviderCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which credentials the SDK's default chain would use, told without any network call. */
class AwsCredentialSourceTest {

    @TempDir
    Path home;

    AwsCredentialSource source(Map<String, String> env, String profile) {
        return new AwsCredentialSource(env, Map.of(), home, profile);
    }

    @Test
    void nothingConfiguredSaysExactlyWhatToSet() {
        ProviderCheck c = source(Map.of(), null).check();
        assertThat(c.ok()).isFalse();
        assertThat(c.message()).contains("no AWS credentials found").contains("AWS_ACCESS_KEY_ID")
                .contains("AWS_PROFILE").contains("aws configure").contains("instance role");
    }

    @Test
    void environmentKeysAreFoundAndHalfAPairIsNamed() {
        assertThat(source(Map.of("AWS_ACCESS_KEY_ID", "AKIA", "AWS_SECRET_ACCESS_KEY", "s"), null).check())
                .isEqualTo(ProviderCheck.ok("aws", "env AWS_ACCESS_KEY_ID"));
        assertThat(source(Map.of("AWS_SECRET_ACCESS_KEY", "s"), null).check().message())
                .isEqualTo("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; set both");
    }

    @Test
    void profilesAreReadFromTheSharedFilesWithTheSourceNamed() throws IOException {
        Path aws = Files.createDirectories(home.resolve(".aws"));
        Files.writeString(aws.resolve("credentials"), "[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\n");
        Files.writeString(aws.resolve("config"), "[profile research]\nsso_session = corp\nregion = us-west-2\n"
                + "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n");
        assertThat(source(Map.of(), null).check().source()).isEqualTo(aws.resolve("credentials") + " [default]");
        assertThat(source(Map.of("AWS_PROFILE", "research"), null).check().source())
                .isEqualTo(aws.resolve("config") + " [profile research] (sso_session)");
        assertThat(source(Map.of(), "research").region()).contains("us-west-2");
        assertThat(source(Map.of("AWS_REGION", "eu-west-1"), "research").region()).contains("eu-west-1");
        assertThat(source(Map.of(), "nope").check().message())
                .startsWith("the AWS profile 'nope' has no credentials in " + aws.resolve("credentials"));
    }

    @Test
    void webIdentityAndContainerRolesAreRecognisedFromTheirVariables() {
        assertThat(source(Map.of("AWS_WEB_IDENTITY_TOKEN_FILE", "/t", "AWS_ROLE_ARN", "arn:aws:iam::1:role/r"), null)
                .check().source()).contains("web identity");
        assertThat(source(Map.of("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds"), null).check().source())
                .contains("container role");
    }
}
