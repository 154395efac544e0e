package dev.skyward.offer;

import java.util.List;

/**
 * One accelerator model Skyward knows by name.
 *
 * <pre>{@code
 * KnownAccelerator h100 = AcceleratorNames.builtIn().find("nvidia_h100").orElseThrow();
 * h100.name();       // "H100"
 * h100.memoryGiB();  // 80
 * }</pre>
 *
 * @param name normalized name, as in the catalogs: {@code H100}, {@code A100-80GB}, {@code RTX6000-Ada}
 * @param memoryGiB memory of one accelerator in GiB
 * @param vendor {@code nvidia}, {@code amd}, {@code aws}, or {@code unknown} for names only a catalog knows
 * @param aliases other spellings, already compacted (upper case, letters and digits only)
 */
public record KnownAccelerator(String name, int memoryGiB, String vendor, List<String> aliases) {

    /** Copies the aliases. */
    public KnownAccelerator {
        aliases = List.copyOf(aliases);
    }
}
