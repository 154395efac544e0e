package dev.skyward.offer;

import dev.skyward.PoolConfigurationException;
import dev.skyward.Accelerator;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the many spellings of an accelerator into one normalized {@link Accelerator} (name, count,
 * memory): what users write ({@code "h100"}, {@code "H100:8"}, {@code "A100-80GB"}), and what the
 * providers' APIs return (DigitalOcean's {@code gpu_info.model} {@code "nvidia_h100"}, Verda's
 * {@code gpu.description} {@code "8x H100 SXM5 80GB"}, AWS's {@code GpuInfo} {@code "A10G"},
 * nvidia-smi's {@code "NVIDIA H100 80GB HBM3"}).
 *
 * <pre>{@code
 * AcceleratorNames names = AcceleratorNames.builtIn();
 * names.parse("8x H100 SXM5 80GB");   // H100:8, 80 GiB
 * names.parse("A100-80GB:4");         // A100-80GB:4
 * names.parse("H10");                 // UnknownAcceleratorException: ... did you mean H100, H200?
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe. Names that only a catalog knows (a user's override
 * catalog may add a new model) join through {@link #withNames}.
 */
public final class AcceleratorNames {

    private static final Pattern COUNT_PREFIX = Pattern.compile("^(\\d+)\\s*[xX\u00d7]\\s*(\\S.*)$");
    private static final Pattern COUNT_SUFFIX = Pattern.compile("^(.*\\S)\\s*:\\s*(\\S+)$");
    private static final Pattern MEMORY = Pattern.compile("^(\\d+)(gb|gib|g)$");
    private static final Pattern SPLIT = Pattern.compile("[\\s_\\-/]+");
    // Words that say who made the card or how it is attached, never which model it is.
    private static final Set<String> NOISE = Set.of("nvidia", "amd", "tesla", "geforce", "instinct", "intel",
            "habana", "aws", "tensor", "core", "gpu", "generation", "pcie", "nvlink", "sxm", "sxm2", "sxm3", "sxm4",
            "sxm5", "sxm6", "hbm2", "hbm2e", "hbm3", "hbm3e");

    private static final AcceleratorNames BUILT_IN = new AcceleratorNames(List.of(
            known("T4", 16, "nvidia"),
            known("T4G", 16, "nvidia"),
            known("A10", 24, "nvidia"),
            known("A10G", 24, "nvidia"),
            known("L4", 24, "nvidia"),
            known("L40", 48, "nvidia"),
            known("L40S", 48, "nvidia"),
            known("A40", 48, "nvidia"),
            known("K80", 12, "nvidia"),
            known("M60", 8, "nvidia"),
            known("P100", 16, "nvidia"),
            known("V100", 16, "nvidia"),
            known("V100-32GB", 32, "nvidia"),
            known("A100", 40, "nvidia"),
            known("A100-80GB", 80, "nvidia"),
            known("H100", 80, "nvidia"),
            known("H200", 141, "nvidia"),
            known("GH200", 96, "nvidia"),
            known("B200", 180, "nvidia"),
            known("B300", 288, "nvidia"),
            known("RTX4000-Ada", 20, "nvidia", "4000ADA", "RTX4000ADA"),
            known("RTX6000-Ada", 48, "nvidia", "6000ADA", "RTX6000ADA"),
            known("RTX-A6000", 48, "nvidia", "A6000", "RTXA6000"),
            known("MI300X", 192, "amd"),
            known("MI325X", 256, "amd"),
            known("Inferentia2", 32, "aws", "INF2"),
            known("Trainium", 32, "aws", "TRN1", "TRAINIUM1")));

    // Models sold with more than one memory size under one family name: the memory picks the name.
    private static final Map<String, Map<Integer, String>> BY_MEMORY = Map.of(
            "A100", Map.of(40, "A100", 80, "A100-80GB"),
            "V100", Map.of(16, "V100", 32, "V100-32GB"));

    private final List<KnownAccelerator> known;
    private final Map<String, KnownAccelerator> byKey;

    private AcceleratorNames(List<KnownAccelerator> known) {
        this.known = List.copyOf(known);
        Map<String, KnownAccelerator> keys = new HashMap<>();
        for (KnownAccelerator k : this.known) {
            keys.putIfAbsent(compact(k.name()), k);
            for (String alias : k.aliases()) {
                keys.putIfAbsent(alias, k);
            }
        }
        this.byKey = keys;
    }

    private static KnownAccelerator known(String name, int memoryGiB, String vendor, String... aliases) {
        return new KnownAccelerator(name, memoryGiB, vendor, List.of(aliases));
    }

    /** The names Skyward knows without any catalog. */
    public static AcceleratorNames builtIn() {
        return BUILT_IN;
    }

    /**
     * These names plus the accelerators of some offers (e.g. from an override catalog that lists a
     * model this version does not know yet).
     *
     * @param accelerators accelerators found in catalogs; {@link Accelerator#NONE} is ignored
     * @return a registry knowing them too
     */
    public AcceleratorNames withNames(Collection<Accelerator> accelerators) {
        Map<String, KnownAccelerator> added = new LinkedHashMap<>();
        for (Accelerator a : accelerators) {
            if (a.isPresent() && !byKey.containsKey(compact(a.name()))) {
                added.putIfAbsent(compact(a.name()), new KnownAccelerator(a.name(), a.memoryGiB(), "unknown", List.of()));
            }
        }
        if (added.isEmpty()) {
            return this;
        }
        List<KnownAccelerator> all = new ArrayList<>(known);
        all.addAll(added.values());
        return new AcceleratorNames(all);
    }

    /** Every known accelerator, in table order. */
    public List<KnownAccelerator> known() {
        return known;
    }

    /** Every known normalized name, in table order. */
    public List<String> names() {
        return known.stream().map(KnownAccelerator::name).toList();
    }

    /**
     * Parses any spelling with an optional count ({@code NAME:COUNT}, {@code COUNTx NAME}).
     *
     * @param text e.g. {@code "h100"}, {@code "H100:8"}, {@code "nvidia_h100"}, {@code "8x H100 SXM5 80GB"},
     *     {@code "none"}
     * @return the normalized accelerator, with its memory per accelerator
     * @throws UnknownAcceleratorException the name is not known; the message suggests close names
     * @throws IllegalArgumentException the count is malformed
     */
    public Accelerator parse(String text) {
        String s = text == null ? "" : text.trim();
        if (s.isEmpty() || s.equalsIgnoreCase("none") || s.equalsIgnoreCase("cpu")) {
            return Accelerator.NONE;
        }
        int count = 1;
        Matcher suffix = COUNT_SUFFIX.matcher(s);
        if (suffix.matches()) {
            count = parseCount(suffix.group(2), text);
            s = suffix.group(1);
        }
        Matcher prefix = COUNT_PREFIX.matcher(s);
        if (prefix.matches()) {
            int prefixCount = parseCount(prefix.group(1), text);
            if (suffix.matches() && prefixCount != count) {
                throw new PoolConfigurationException("accelerator '" + text + "' gives two different counts ("
                        + prefixCount + " and " + count + "); write NAME:COUNT, e.g. \"H100:8\"");
            }
            count = prefixCount;
            s = prefix.group(2);
        }
        String name = s;
        KnownAccelerator k = lookup(name).orElseThrow(() -> unknown(name));
        return Accelerator.of(k.name(), count, k.memoryGiB());
    }

    /**
     * Normalizes an accelerator built by {@link Accelerator#parse}, which only upper-cases the name:
     * {@code Accelerator.parse("8x h100 sxm5")} has name {@code "8X H100 SXM5"} and count 1.
     *
     * @param accelerator as the builder holds it
     * @return the normalized accelerator
     * @throws UnknownAcceleratorException the name is not known
     * @throws IllegalArgumentException the name and the count disagree
     */
    public Accelerator normalize(Accelerator accelerator) {
        if (!accelerator.isPresent()) {
            return Accelerator.NONE;
        }
        Accelerator parsed = parse(accelerator.name());
        int count = accelerator.count();
        if (parsed.count() != 1 && count != 1 && parsed.count() != count) {
            throw new PoolConfigurationException("accelerator '" + accelerator.name() + "' says " + parsed.count()
                    + " per node but the count is " + count + "; write NAME:COUNT, e.g. \"H100:8\"");
        }
        return Accelerator.of(parsed.name(), Math.max(count, parsed.count()), parsed.memoryGiB());
    }

    /**
     * Finds a model by any spelling, without a count.
     *
     * @param name e.g. {@code "nvidia_h100"}
     * @return the model, or empty when unknown
     */
    public Optional<KnownAccelerator> find(String name) {
        return lookup(name);
    }

    /**
     * The known names closest to a misspelled one, best first: those within a small edit distance,
     * and those the text is a prefix of. Names with the same first letter are preferred, because the
     * letter is the family (H100, H200) and is rarely mistyped.
     *
     * @param name the misspelled name
     * @return up to five names
     */
    public List<String> suggest(String name) {
        String key = compact(name);
        if (key.isEmpty()) {
            return List.of();
        }
        int limit = Math.max(1, Math.min(2, key.length() / 2 + 1));
        List<Scored> scored = new ArrayList<>();
        for (KnownAccelerator k : known) {
            String candidate = compact(k.name());
            int distance = distance(key, candidate);
            boolean prefix = key.length() >= 2 && candidate.startsWith(key);
            if (distance <= limit || prefix) {
                scored.add(new Scored(k.name(), prefix ? 0 : distance, candidate.charAt(0) == key.charAt(0)));
            }
        }
        boolean anySameFamily = scored.stream().anyMatch(Scored::sameFirst);
        return scored.stream()
                .filter(s -> !anySameFamily || s.sameFirst())
                .sorted(Comparator.comparingInt(Scored::distance).thenComparing(Scored::name))
                .limit(5)
                .map(Scored::name)
                .toList();
    }

    private record Scored(String name, int distance, boolean sameFirst) {
    }

    private Optional<KnownAccelerator> lookup(String text) {
        Integer memory = null;
        StringBuilder key = new StringBuilder();
        for (String token : SPLIT.split(text.trim().toLowerCase(Locale.ROOT))) {
            if (token.isEmpty() || NOISE.contains(token)) {
                continue;
            }
            Matcher m = MEMORY.matcher(token);
            if (m.matches()) {
                memory = Integer.valueOf(m.group(1));
                continue;
            }
            key.append(token.replaceAll("[^a-z0-9]", ""));
        }
        String k = key.toString().toUpperCase(Locale.ROOT);
        if (memory != null) {
            Map<Integer, String> variants = BY_MEMORY.get(k);
            if (variants != null && variants.containsKey(memory)) {
                k = compact(variants.get(memory));
            }
        }
        KnownAccelerator found = byKey.get(k);
        if (found == null && memory != null) {
            // "A100-80GB" written without the memory split off, e.g. "A10080GB": try with it kept.
            found = byKey.get(k + memory + "GB");
        }
        return Optional.ofNullable(found);
    }

    private UnknownAcceleratorException unknown(String name) {
        return new UnknownAcceleratorException(name.trim(), suggest(name), names());
    }

    private static int parseCount(String c, String text) {
        try {
            int n = Integer.parseInt(c.trim());
            if (n < 1) {
                throw new PoolConfigurationException("accelerator count in '" + text + "' must be at least 1, was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new PoolConfigurationException("accelerator count '" + c + "' in '" + text
                    + "' is not a number; write NAME:COUNT, e.g. \"H100:8\"");
        }
    }

    /** Upper case, letters and digits only: the form names and aliases are compared in. */
    static String compact(String name) {
        return name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "");
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
