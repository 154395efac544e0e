package dev.skyward.offer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.Accelerator;
import dev.skyward.spi.Offer;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in catalogs load, and a file in the override directory replaces one. */
class CatalogTest {

    @AfterEach
    void clearOverride() {
        System.clearProperty(Catalog.DIR_PROPERTY);
    }

    @Test
    void everyCloudCatalogLoadsWithKnownAcceleratorNames(@TempDir Path empty) {
        System.setProperty(Catalog.DIR_PROPERTY, empty.toString());
        // The catalogs/ data the provider modules ship, on core's test classpath.
        for (String provider : List.of("aws", "digitalocean", "verda")) {
            Catalog c = Catalog.load(provider);

            assertThat(c.source()).isEqualTo("built-in");
            assertThat(c.offers()).isNotEmpty().allSatisfy(o -> {
                assertThat(o.provider()).isEqualTo(provider);
                // CPU-only rows (AWS's c7i/m7i, for pools without an accelerator) have none.
                if (o.accelerator().isPresent()) {
                    assertThat(AcceleratorNames.builtIn().find(o.accelerator().name())).isPresent();
                }
                assertThat(o.onDemandPrice()).isPositive();
            });
        }
    }

    @Test
    void theRowsOfProviderApisMdAreThere(@TempDir Path empty) {
        System.setProperty(Catalog.DIR_PROPERTY, empty.toString());

        Offer p5 = Catalog.load("aws").offers().stream()
                .filter(o -> o.instanceType().equals("p5.48xlarge") && o.zone().equals("us-east-1b"))
                .findFirst().orElseThrow();
        assertThat(p5).isEqualTo(new Offer("aws", "p5.48xlarge", Accelerator.of("H100", 8, 80), 192, 2048,
                "us-east-1", "us-east-1b", 55.04, 12.70, "x86_64"));

        Offer doH200 = Catalog.load("digitalocean").offers().stream()
                .filter(o -> o.instanceType().equals("gpu-h200x8-1128gb")).findFirst().orElseThrow();
        assertThat(doH200.onDemandPrice()).isEqualTo(27.52);
        assertThat(doH200.hasSpot()).isFalse();

        Offer verdaH200 = Catalog.load("verda").offers().stream()
                .filter(o -> o.instanceType().equals("1H200.141S.44V")).findFirst().orElseThrow();
        assertThat(verdaH200.region()).isEqualTo("FIN-02");
        assertThat(verdaH200.hasSpot()).isFalse();
    }

    @Test
    void aFileInTheOverrideDirectoryReplacesTheBuiltInCatalog(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("verda.csv"), """
                # refreshed prices
                instance_type,accelerator,accelerator_count,accelerator_memory_gib,vcpus,memory_gib,price,spot_price,region,zone,arch
                8H100.80S.176V,nvidia_h100,8,80,176,1480,12.00,,FIN-01,,x86_64
                """);
        System.setProperty(Catalog.DIR_PROPERTY, dir.toString());

        Catalog c = Catalog.load("verda");

        assertThat(c.source()).isEqualTo(dir.resolve("verda.csv").toString());
        assertThat(c.offers()).singleElement().satisfies(o -> {
            assertThat(o.accelerator()).isEqualTo(Accelerator.of("H100", 8, 80));
            assertThat(o.onDemandPrice()).isEqualTo(12.0);
            assertThat(o.hasSpot()).isFalse();
        });
        assertThat(Catalog.load("aws").source()).isEqualTo("built-in");
    }

    @Test
    void aMalformedRowNamesFileLineColumnAndValue() {
        String csv = """
                instance_type,accelerator,accelerator_count,accelerator_memory_gib,vcpus,memory_gib,price,spot_price,region,zone,arch
                a,H100,1,80,8,32,1.0,,r1,,x86_64
                b,H100,1,80,8,32,cheap,,r1,,x86_64
                """;

        assertThatThrownBy(() -> Catalog.parse("x", "x.csv", new StringReader(csv)))
                .isInstanceOf(CatalogException.class)
                .hasMessage("x.csv (x) line 3: price 'cheap' is not a number");
    }

    @Test
    void aMissingColumnIsNamed() {
        assertThatThrownBy(() -> Catalog.parse("x", "x.csv", new StringReader("instance_type,accelerator\na,H100\n")))
                .isInstanceOf(CatalogException.class)
                .hasMessageStartingWith("x.csv (x): missing columns [accelerator_count, accelerator_memory_gib");
    }
}
