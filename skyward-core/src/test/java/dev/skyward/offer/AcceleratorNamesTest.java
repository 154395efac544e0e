package dev.skyward.offer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skyward.Accelerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every spelling of an accelerator becomes one normalized name, count and memory. */
class AcceleratorNamesTest {

    private final AcceleratorNames names = AcceleratorNames.builtIn();

    @ParameterizedTest(name = "''{0}'' is {1}:{2} with {3} GiB")
    @CsvSource(delimiter = '|', textBlock = """
            H100                   | H100        | 1 | 80
            h100                   | H100        | 1 | 80
            H100:8                 | H100        | 8 | 80
            A100-80GB              | A100-80GB   | 1 | 80
            A100:8                 | A100        | 8 | 40
            nvidia_h100            | H100        | 1 | 80
            H100-SXM               | H100        | 1 | 80
            8x H100 SXM5 80GB      | H100        | 8 | 80
            1x H200 SXM5 141GB     | H200        | 1 | 141
            8x A100 SXM4 40GB      | A100        | 8 | 40
            8x A100 SXM4 80GB      | A100-80GB   | 8 | 80
            amd_mi300x             | MI300X      | 1 | 192
            nvidia_l40s            | L40S        | 1 | 48
            nvidia_rtx_6000_ada    | RTX6000-Ada | 1 | 48
            1x RTX 6000 Ada 48GB   | RTX6000-Ada | 1 | 48
            RTX A6000              | RTX-A6000   | 1 | 48
            1x RTX A6000 48GB      | RTX-A6000   | 1 | 48
            8x Tesla V100 16GB     | V100        | 8 | 16
            Tesla V100-SXM2-32GB   | V100-32GB   | 1 | 32
            NVIDIA H100 80GB HBM3  | H100        | 1 | 80
            A10G                   | A10G        | 1 | 24
            T4g                    | T4G         | 1 | 16
            a10g:4                 | A10G        | 4 | 24
            4000ada                | RTX4000-Ada | 1 | 20
            """)
    void normalizesUserAndProviderSpellings(String text, String name, int count, int memory) {
        Accelerator a = names.parse(text);

        assertThat(a.name()).isEqualTo(name);
        assertThat(a.count()).isEqualTo(count);
        assertThat(a.memoryGiB()).isEqualTo(memory);
    }

    @Test
    void noneAndCpuMeanNoAccelerator() {
        assertThat(names.parse("none")).isEqualTo(Accelerator.NONE);
        assertThat(names.parse("cpu")).isEqualTo(Accelerator.NONE);
        assertThat(names.parse(" ")).isEqualTo(Accelerator.NONE);
    }

    @Test
    void aTypoSuggestsTheClosestNamesOfTheSameFamily() {
        assertThatThrownBy(() -> names.parse("H10"))
                .isInstanceOf(UnknownAcceleratorException.class)
                .hasMessage("unknown accelerator 'H10'; did you mean H100, H200?");
        assertThatThrownBy(() -> names.parse("H10:8"))
                .hasMessage("unknown accelerator 'H10'; did you mean H100, H200?");
        assertThatThrownBy(() -> names.parse("L40X"))
                .hasMessage("unknown accelerator 'L40X'; did you mean L40, L40S, L4?");
        assertThatThrownBy(() -> names.parse("RTX6000"))
                .hasMessageStartingWith("unknown accelerator 'RTX6000'; did you mean RTX6000-Ada");
    }

    @Test
    void aNameFarFromAnyKnownOneListsTheKnownNames() {
        assertThatThrownBy(() -> names.parse("quantum-chip"))
                .hasMessageStartingWith("unknown accelerator 'quantum-chip'; known accelerators: T4, T4G, A10, ");
    }

    @Test
    void malformedCountsSayWhatToWrite() {
        assertThatThrownBy(() -> names.parse("H100:eight"))
                .isInstanceOf(dev.skyward.PoolConfigurationException.class)
                .hasMessage("accelerator count 'eight' in 'H100:eight' is not a number; write NAME:COUNT, e.g. \"H100:8\"");
        assertThatThrownBy(() -> names.parse("8x H100:4"))
                .hasMessageContaining("gives two different counts (8 and 4)");
    }

    @Test
    void normalizeFixesWhatAcceleratorParseLeavesAsWritten() {
        assertThat(names.normalize(Accelerator.parse("8x H100 SXM5 80GB"))).isEqualTo(Accelerator.of("H100", 8, 80));
        assertThat(names.normalize(Accelerator.parse("nvidia_h100:8"))).isEqualTo(Accelerator.of("H100", 8, 80));
        assertThat(names.normalize(Accelerator.NONE)).isEqualTo(Accelerator.NONE);
    }

    @Test
    void catalogsCanTeachNewNames() {
        var extended = names.withNames(java.util.List.of(Accelerator.of("X9000", 1, 512)));

        assertThat(extended.parse("x9000:2")).isEqualTo(Accelerator.of("X9000", 2, 512));
        assertThatThrownBy(() -> names.parse("x9000")).isInstanceOf(UnknownAcceleratorException.class);
    }
}
