package dev.skyward.digitalocean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.PoolConfigurationException;
import dev.skyward.offer.Catalog;
import dev.skyward.spi.ProviderDescriptors;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The module is found by name, with its own catalog and credential check. */
class DigitalOceanDescriptorTest {

    @TempDir
    Path home;

    @Test
    void serviceLoaderFindsDigitalOceanWithItsCatalog() {
        assertThat(ProviderDescriptors.names()).contains("digitalocean");
        assertThat(Catalog.providers()).contains("digitalocean");
        assertThat(Catalog.load("digitalocean").offers()).isNotEmpty()
                .allSatisfy(o -> assertThat(o.provider()).isEqualTo("digitalocean"))
                .anySatisfy(o -> assertThat(o.instanceType()).isEqualTo("gpu-h100x8-640gb"));
        assertThat(DigitalOcean.catalogResource().toString()).contains("dev/skyward/catalogs/digitalocean.csv");
    }

    @Test
    void createdFromTheEnvironmentOrRefusedWithWhatToSet() {
        DigitalOceanDescriptor found = new DigitalOceanDescriptor(Map.of("DIGITALOCEAN_TOKEN", "dop_v1_x"), home);
        assertThat(found.check().ok()).isTrue();
        assertThat(found.check().source()).isEqualTo("env DIGITALOCEAN_TOKEN");
        assertThat(found.create().name()).isEqualTo("digitalocean");
        assertThat(found.create().check().source()).isEqualTo("env DIGITALOCEAN_TOKEN");

        DigitalOceanDescriptor none = new DigitalOceanDescriptor(Map.of(), home);
        assertThat(none.check().ok()).isFalse();
        assertThatThrownBy(none::create).isInstanceOf(PoolConfigurationException.class)
                .hasMessageContaining("set DIGITALOCEAN_TOKEN");
    }
}
