package dev.skyward.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.Accelerator;
import dev.skyward.offer.Catalog;
import dev.skyward.spi.Offer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;

/** The module's catalog is found by name and agrees with EC2's own instance facts (moto's copy of them). */
@Timeout(120)
class AwsCatalogTest {

    @Test
    void theCatalogShipsWithTheModuleAndItsTypesMatchDescribeInstanceTypes() throws Exception {
        Catalog catalog = Catalog.load("aws");
        assertThat(catalog.source()).isEqualTo("built-in");
        assertThat(Catalog.providers()).contains("aws");
        Map<String, Offer> byType = new LinkedHashMap<>();
        catalog.offers().forEach(o -> byType.putIfAbsent(o.instanceType(), o));
        assertThat(byType).containsKeys("p5.48xlarge", "g5.xlarge", "c7i.large");

        try (Moto moto = Moto.start()) {
            List<InstanceTypeInfo> facts = new ArrayList<>();
            // Every type EC2 lists (moto's copy lacks some retired and new ones: those are not checked).
            moto.ec2().describeInstanceTypesPaginator(b -> { }).instanceTypes().stream()
                    .filter(t -> byType.containsKey(t.instanceTypeAsString())).forEach(facts::add);
            assertThat(facts).as("types EC2 knows").hasSizeGreaterThan(byType.size() / 2);
            List<String> wrong = new ArrayList<>();
            for (InstanceTypeInfo t : facts) {
                Offer o = byType.get(t.instanceTypeAsString());
                if (t.vCpuInfo().defaultVCpus() != o.vcpus()) {
                    wrong.add(o.instanceType() + ": vcpus " + o.vcpus() + " vs " + t.vCpuInfo().defaultVCpus());
                }
                double gib = t.memoryInfo().sizeInMiB() / 1024.0;
                if (Math.abs(gib - o.memoryGiB()) > 0.5) {
                    wrong.add(o.instanceType() + ": memory " + o.memoryGiB() + " vs " + gib);
                }
                int gpus = t.gpuInfo() == null ? 0 : t.gpuInfo().gpus().stream().mapToInt(g -> g.count()).sum();
                boolean accelerated = t.gpuInfo() != null || t.inferenceAcceleratorInfo() != null
                        || t.neuronInfo() != null;
                if (o.accelerator().equals(Accelerator.NONE) && accelerated) {
                    wrong.add(o.instanceType() + ": has accelerators, catalog says none");
                }
                if (gpus > 0 && o.accelerator().count() != gpus) {
                    wrong.add(o.instanceType() + ": " + o.accelerator().count() + " GPUs vs " + gpus);
                }
                // EC2 says "A100" with 80 GiB where the catalog's name carries the variant ("A100-80GB").
                var gpu = gpus > 0 ? t.gpuInfo().gpus().get(0) : null;
                if (gpu != null && !o.accelerator().name().toUpperCase(java.util.Locale.ROOT)
                        .startsWith(gpu.name().toUpperCase(java.util.Locale.ROOT))) {
                    wrong.add(o.instanceType() + ": " + o.accelerator().name() + " vs " + gpu.name());
                }
                // The catalog keeps the card's nominal size; EC2 gives MiB, which for some cards is the nominal
                // size in decimal GB (A10G: 22888 MiB = 24.0 GB) and for others in GiB (H100: 81559 MiB = 79.6 GiB).
                double mib = gpu == null ? 0 : gpu.memoryInfo().sizeInMiB();
                if (gpu != null && Math.abs(mib / 1024 - o.accelerator().memoryGiB()) > 1
                        && Math.abs(mib * 1_048_576 / 1e9 - o.accelerator().memoryGiB()) > 1) {
                    wrong.add(o.instanceType() + ": " + o.accelerator().memoryGiB() + " GiB per GPU vs "
                            + gpu.memoryInfo().sizeInMiB() / 1024.0);
                }
            }
            assertThat(wrong).as("catalog rows that disagree with DescribeInstanceTypes").isEmpty();
        }
    }
}
