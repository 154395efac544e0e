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
            moto.ec2().describeInstanceTypesPaginator(b -> b.instanceTypesWithStrings(byType.keySet().stream()
                    .filter(t -> !t.startsWith("p6")).toList())).instanceTypes().forEach(facts::add);
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
                if (gpus > 0 && !o.accelerator().name().equalsIgnoreCase(t.gpuInfo().gpus().get(0).name())) {
                    wrong.add(o.instanceType() + ": " + o.accelerator().name() + " vs " + t.gpuInfo().gpus().get(0).name());
                }
            }
            assertThat(wrong).as("catalog rows that disagree with DescribeInstanceTypes").isEmpty();
        }
    }
}
