package dev.skyward.offer;

import dev.skyward.Accelerator;
import dev.skyward.spi.Offer;
import dev.skyward.spi.ProviderDescriptor;
import dev.skyward.spi.ProviderDescriptors;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A provider's offer catalog: the rows of {@code catalogs/<provider>.csv} as {@link Offer}s, in file
 * order. The schema is documented in {@code catalogs/README.md}.
 *
 * <pre>{@code
 * Catalog aws = Catalog.load("aws");            // ~/.skyward/catalogs/aws.csv if present, else the built-in one
 * List<Offer> h100 = OfferSearch.filter(aws.offers(), query, Set.of());
 * }</pre>
 *
 * <p>A file in the override directory ({@code ~/.skyward/catalogs}, or the system property
 * {@value #DIR_PROPERTY}) replaces the built-in catalog of that provider, so prices can be refreshed
 * without upgrading. Loaded catalogs are cached until the file changes.
 *
 * @param provider provider name, e.g. {@code aws}
 * @param source where the rows came from: a file path or {@code built-in}
 * @param offers the rows, in file order
 */
public record Catalog(String provider, String source, List<Offer> offers) {

    /** System property naming the override directory. */
    public static final String DIR_PROPERTY = "skyward.catalogs.dir";

    /**
     * Every provider with a catalog: the provider modules on the classpath (found through their
     * {@link ProviderDescriptor}s) that ship the resource {@code dev/skyward/catalogs/<name>.csv}
     * with rows, or have an override file.
     *
     * @return provider names, sorted
     */
    public static List<String> providers() {
        return ProviderDescriptors.all().stream().map(ProviderDescriptor::name)
                .filter(n -> !load(n).offers().isEmpty()).toList();
    }

    static final List<String> COLUMNS = List.of("instance_type", "accelerator", "accelerator_count",
            "accelerator_memory_gib", "vcpus", "memory_gib", "price", "spot_price", "region", "zone", "arch");

    private static final Logger LOG = LoggerFactory.getLogger(Catalog.class);
    private static final String RESOURCE_DIR = "dev/skyward/catalogs/";
    private static final Map<String, Catalog> CACHE = new ConcurrentHashMap<>();

    /** Copies the rows. */
    public Catalog {
        offers = List.copyOf(offers);
    }

    /**
     * The override directory: {@value #DIR_PROPERTY} if set, else {@code ~/.skyward/catalogs}.
     *
     * @return the directory (it need not exist)
     */
    public static Path overrideDirectory() {
        String dir = System.getProperty(DIR_PROPERTY);
        return dir != null && !dir.isBlank() ? Path.of(dir)
                : Path.of(System.getProperty("user.home"), ".skyward", "catalogs");
    }

    /**
     * Loads a provider's catalog: the override file if there is one, else the built-in one.
     *
     * @param provider provider name
     * @return the catalog; empty (no rows) when the provider has none
     * @throws CatalogException a row is malformed
     */
    public static Catalog load(String provider) {
        Path file = overrideDirectory().resolve(provider + ".csv");
        if (Files.isRegularFile(file)) {
            String key;
            try {
                key = file.toAbsolutePath() + "@" + Files.getLastModifiedTime(file).toMillis() + "/" + Files.size(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read catalog " + file, e);
            }
            return CACHE.computeIfAbsent(key, k -> {
                LOG.debug("loading catalog of {} from {}", provider, file);
                try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    return parse(provider, file.toString(), r);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read catalog " + file, e);
                }
            });
        }
        return CACHE.computeIfAbsent("built-in:" + provider, k -> {
            InputStream in = resource(RESOURCE_DIR + provider + ".csv");
            if (in == null) {
                return new Catalog(provider, "none", List.of());
            }
            try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                return parse(provider, "built-in", r);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the built-in catalog of " + provider, e);
            }
        });
    }

    /** A provider module's resource: it may sit in a loader below this library's (an app server, a notebook). */
    private static InputStream resource(String name) {
        InputStream in = Catalog.class.getClassLoader().getResourceAsStream(name);
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (in == null && context != null) {
            in = context.getResourceAsStream(name);
        }
        return in;
    }

    /**
     * Parses catalog rows.
     *
     * @param provider provider name the offers get
     * @param source name of the source, for messages
     * @param csv the CSV text, with a header row
     * @return the catalog
     * @throws CatalogException a column is missing or a row is malformed (with its line number)
     * @throws IOException reading failed
     */
    public static Catalog parse(String provider, String source, Reader csv) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder()
                .setHeader()
                .setSkipHeaderRecord(true)
                .setCommentMarker('#')
                .setIgnoreEmptyLines(true)
                .setIgnoreSurroundingSpaces(true)
                .setTrim(true)
                .get();
        AcceleratorNames names = AcceleratorNames.builtIn();
        List<Offer> offers = new ArrayList<>();
        try (CSVParser parser = CSVParser.builder().setReader(csv).setFormat(format).get()) {
            List<String> missing = COLUMNS.stream().filter(c -> !parser.getHeaderMap().containsKey(c)).toList();
            if (!missing.isEmpty()) {
                throw new CatalogException(source + " (" + provider + "): missing columns " + missing
                        + "; the header must name " + String.join(",", COLUMNS));
            }
            for (CSVRecord row : parser) {
                offers.add(offer(provider, source, row, names));
            }
        }
        return new Catalog(provider, source, offers);
    }

    private static Offer offer(String provider, String source, CSVRecord row, AcceleratorNames names) {
        Cells c = new Cells(provider, source, row);
        String accName = c.text("accelerator");
        int count = c.integer("accelerator_count", 0);
        Accelerator accelerator = Accelerator.NONE;
        if (!accName.isEmpty() && !accName.equalsIgnoreCase("none") && count > 0) {
            // Normalize known spellings; a name this version does not know is kept as written.
            String name = names.find(accName).map(KnownAccelerator::name).orElse(accName);
            accelerator = Accelerator.of(name, count, c.integer("accelerator_memory_gib", 0));
        }
        String spot = c.text("spot_price");
        String arch = c.text("arch");
        return new Offer(provider, c.required("instance_type"), accelerator, c.integer("vcpus", 0),
                c.decimal("memory_gib"), c.required("region"), c.text("zone"), c.decimal("price"),
                spot.isEmpty() ? Double.NaN : c.decimal("spot_price"), arch.isEmpty() ? "x86_64" : arch);
    }

    /** Reads typed cells and names the file, line and column when one is wrong. */
    private record Cells(String provider, String source, CSVRecord row) {

        String text(String column) {
            String v = row.isSet(column) ? row.get(column) : null;
            return v == null ? "" : v.trim();
        }

        String required(String column) {
            String v = text(column);
            if (v.isEmpty()) {
                throw error(column, v, "must not be blank");
            }
            return v;
        }

        int integer(String column, int blank) {
            String v = text(column);
            if (v.isEmpty()) {
                return blank;
            }
            try {
                int n = Integer.parseInt(v);
                if (n < 0) {
                    throw error(column, v, "must not be negative");
                }
                return n;
            } catch (NumberFormatException e) {
                throw error(column, v, "is not a whole number");
            }
        }

        double decimal(String column) {
            String v = required(column);
            try {
                double d = Double.parseDouble(v);
                if (!(d >= 0) || Double.isInfinite(d)) {
                    throw error(column, v, "must be a non-negative number");
                }
                return d;
            } catch (NumberFormatException e) {
                throw error(column, v, "is not a number");
            }
        }

        CatalogException error(String column, String value, String problem) {
            return new CatalogException(source + " (" + provider + ") line " + row.getParser().getCurrentLineNumber()
                    + ": " + column + " '" + value + "' " + problem);
        }
    }

    /**
     * The catalog's hourly price of an instance type in a region (the lowest over its zones), for
     * listings of running instances whose provider does not say what they cost.
     *
     * @param instanceType the type
     * @param region the region ({@code ""}: any)
     * @param spot whether it runs on the spot market
     * @return USD per hour, or {@code NaN} when the catalog has no such row
     */
    public double price(String instanceType, String region, boolean spot) {
        return offers.stream().filter(o -> o.instanceType().equals(instanceType)
                        && (region.isEmpty() || o.region().equals(region)))
                .mapToDouble(o -> o.price(spot)).filter(p -> !Double.isNaN(p)).min().orElse(Double.NaN);
    }
}
