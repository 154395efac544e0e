package dev.skyward.digitalocean;

/**
 * The image a droplet of a size boots: DigitalOcean's AI/ML-ready GPU images for GPU sizes (drivers,
 * CUDA or ROCm installed), plain Ubuntu otherwise.
 */
final class GpuImages {

    private GpuImages() {
    }

    /**
     * @param sizeSlug e.g. {@code gpu-h100x8-640gb}
     * @return the image slug, e.g. {@code gpu-h100x8-base}
     */
    static String forSize(String sizeSlug) {
        if (sizeSlug.startsWith("gpu-mi")) {
            return "gpu-amd-base";
        }
        if (sizeSlug.startsWith("gpu-")) {
            // The 8-GPU image brings the NVLink fabric manager; single-GPU sizes use the x1 image.
            return sizeSlug.matches("gpu-[a-z0-9]+x8-.*") ? "gpu-h100x8-base" : "gpu-h100x1-base";
        }
        return "ubuntu-24-04-x64";
    }
}
