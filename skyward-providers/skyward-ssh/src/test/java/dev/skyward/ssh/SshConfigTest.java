package dev.skyward.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.Accelerator;
import dev.skyward.PoolConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider's configuration and GPU naming, without any host. */
class SshConfigTest {

    @Test
    void readsHostsAndDefaultsFromAFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("hosts.conf");
        Files.writeString(f, String.join("\n",
                "# lab machines",
                "user ubuntu",
                "identity /keys/lab",
                "known_hosts /keys/known_hosts",
                "host gpu-1.lan            # default port",
                "host admin@10.0.0.6:2222 identity=/keys/other",
                "host [fe80::1]:2200"));
        Ssh ssh = Ssh.fromConfig(f);
        assertThat(ssh.hosts()).containsExactly(
                new SshHostConfig("gpu-1.lan", 22, "ubuntu", null),
                new SshHostConfig("10.0.0.6", 2222, "admin", Path.of("/keys/other")),
                new SshHostConfig("fe80::1", 2200, "ubuntu", null));
        assertThat(ssh.check().ok()).isFalse();
        assertThat(ssh.check().message()).contains("/keys/known_hosts");
    }

    @Test
    void badLinesNameTheirLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("hosts.conf");
        Files.writeString(f, "user u\nhosts a\n");
        assertThatThrownBy(() -> Ssh.fromConfig(f)).isInstanceOf(PoolConfigurationException.class)
                .hasMessageContaining("hosts.conf:2").hasMessageContaining("unknown directive");
        Files.writeString(f, "host a\n");
        assertThatThrownBy(() -> Ssh.fromConfig(f)).isInstanceOf(PoolConfigurationException.class)
                .hasMessageContaining("has no user");
    }

    @Test
    void aMissingConfigFileIsAConfigurationErrorNamingTheFile(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-hosts.conf");
        assertThatThrownBy(() -> Ssh.fromConfig(missing)).isInstanceOf(PoolConfigurationException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> Ssh.builder().host((String) null)).isInstanceOf(PoolConfigurationException.class);
    }

    @Test
    void noHostsIsAFailingCheckThatSaysWhatToAdd() {
        assertThat(Ssh.builder().build().check().message()).contains("no hosts configured");
    }

    @Test
    void gpuNamesNormalizeToCatalogModels() {
        assertThat(HostProbe.model("NVIDIA A100-SXM4-40GB")).isEqualTo("A100");
        assertThat(HostProbe.model("NVIDIA H100 80GB HBM3")).isEqualTo("H100");
        assertThat(HostProbe.model("Tesla T4")).isEqualTo("T4");
        assertThat(HostProbe.model("NVIDIA GeForce RTX 4090")).isEqualTo("RTX4090");
        HostProbe twoA100 = new HostProbe(new SshHostConfig("h", 22, "u", null), null,
                List.of("NVIDIA A100-SXM4-80GB", "NVIDIA A100-SXM4-80GB"), 81920, 8, 64, "x86_64");
        assertThat(twoA100.accelerator()).isEqualTo(Accelerator.of("A100", 2, 80));
        assertThat(twoA100.has(Accelerator.parse("A100:2"))).isTrue();
        assertThat(twoA100.has(Accelerator.parse("A100-80GB"))).isTrue();
        assertThat(twoA100.has(Accelerator.parse("A100:4"))).isFalse();
        assertThat(twoA100.has(Accelerator.parse("H100"))).isFalse();
        assertThat(twoA100.has(Accelerator.NONE)).isTrue();
    }
}
