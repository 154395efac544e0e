package dev.skyward.verda;

import java.util.Locale;

/**
 * The OS image for an instance type (Verda's {@code image_type}, passed as {@code image}). NVIDIA's open
 * kernel modules, which Blackwell (B200, B300) needs, do not support Volta, so V100 types get the
 * proprietary-driver image; CPU types get plain Ubuntu.
 */
final class VerdaImages {

    static final String GPU_OPEN = "ubuntu-24.04-cuda-12.8-open-docker";
    static final String GPU_VOLTA = "ubuntu-22.04-cuda-12.4-docker";
    static final String CPU = "ubuntu-24.04";

    private VerdaImages() {
    }

    static String forType(String instanceType) {
        String t = instanceType.toUpperCase(Locale.ROOT);
        if (t.startsWith("CPU.")) {
            return CPU;
        }
        if (t.matches("\\d+V100\\..*")) {
            return GPU_VOLTA;
        }
        return GPU_OPEN;
    }
}
