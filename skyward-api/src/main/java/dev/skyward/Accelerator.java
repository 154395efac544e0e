package dev.skyward;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

/**
 * An accelerator type and how many of it a node has: {@code H100:8} is eight H100s.
 *
 * <pre>{@code
 * Accelerator a = Accelerator.parse("H100:8");   // name "H100", count 8
 * }</pre>
 */
public final class Accelerator implements Serializable {

    private static final long serialVersionUID = 1L;

    /** No accelerator: a CPU-only node. */
    public static final Accelerator NONE = new Accelerator("none", 0, 0);

    private final String name;
    private final int count;
    private final int memoryGiB;

    private Accelerator(String name, int count, int memoryGiB) {
        this.name = name;
        this.count = count;
        this.memoryGiB = memoryGiB;
    }

    /**
     * An accelerator with the given normalized name and count.
     *
     * @param name normalized name such as {@code H100} or {@code A100-80GB}
     * @param count accelerators per node, at least 1
     * @param memoryGiB memory of one accelerator in GiB, or 0 when unknown
     * @return the accelerator
     */
    public static Accelerator of(String name, int count, int memoryGiB) {
        Require.notNull(name, "accelerator name");
        if (name.isBlank()) {
            throw new PoolConfigurationException("accelerator name is blank; use e.g. \"H100\" or \"A100:8\"");
        }
        if (count < 1) {
            throw new PoolConfigurationException("accelerator count must be at least 1, was " + count
                    + "; write \"" + name + ":1\" or leave the count out");
        }
        if (memoryGiB < 0) {
            throw new PoolConfigurationException("accelerator memory must not be negative, was " + memoryGiB);
        }
        return new Accelerator(name, count, memoryGiB);
    }

    /**
     * Parses {@code NAME} or {@code NAME:COUNT}. The name is upper-cased; no catalog lookup happens
     * here (the pool checks names against the providers' catalogs when it is built).
     *
     * @param spec e.g. {@code "H100"}, {@code "h100:8"}, {@code "none"}
     * @return the accelerator
     * @throws PoolConfigurationException when the text is malformed, with what to write instead
     */
    public static Accelerator parse(String spec) {
        if (spec == null) {
            throw new PoolConfigurationException("accelerator must not be null; write e.g. \"H100:8\", "
                    + "or \"none\" for nodes without one");
        }
        String s = spec.trim();
        if (s.isEmpty() || s.equalsIgnoreCase("none") || s.equalsIgnoreCase("cpu")) {
            return NONE;
        }
        int colon = s.lastIndexOf(':');
        String name = colon < 0 ? s : s.substring(0, colon).trim();
        int count = 1;
        if (colon >= 0) {
            String c = s.substring(colon + 1).trim();
            try {
                count = Integer.parseInt(c);
            } catch (NumberFormatException e) {
                throw new PoolConfigurationException("accelerator count '" + c + "' in '" + spec
                        + "' is not a number; write NAME:COUNT, e.g. \"H100:8\"");
            }
        }
        return of(name.toUpperCase(Locale.ROOT), count, 0);
    }

    /** Normalized name, e.g. {@code H100}; {@code none} for {@link #NONE}. */
    public String name() {
        return name;
    }

    /** Accelerators per node; 0 for {@link #NONE}. */
    public int count() {
        return count;
    }

    /** Memory of one accelerator in GiB, 0 when unknown. */
    public int memoryGiB() {
        return memoryGiB;
    }

    /** Whether this is a real accelerator (not {@link #NONE}). */
    public boolean isPresent() {
        return count > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Accelerator a && a.name.equals(name) && a.count == count && a.memoryGiB == memoryGiB;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, count, memoryGiB);
    }

    @Override
    public String toString() {
        return count == 0 ? "none" : name + ":" + count;
    }
}
