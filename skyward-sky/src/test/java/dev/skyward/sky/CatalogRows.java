package dev.skyward.sky;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The repository's offer catalogs ({@code catalogs/*.csv}), read as plain rows, so a test's expected
 * choice comes from the data files themselves rather than from the code under test.
 */
final class CatalogRows {

    /** One catalog line. {@code spot} is NaN where the row has no spot price. */
    record Row(String provider, String instanceType, String accelerator, int count, double onDemand, double spot,
            String region, String zone) {

        double price(boolean onSpot) {
            return onSpot ? spot : onDemand;
        }

        boolean hasSpot() {
            return !Double.isNaN(spot);
        }
    }

    private CatalogRows() {
    }

    /** Where the catalogs are: set by the build, else beside this module. */
    static Path dir() {
        String configured = System.getProperty("skyward.catalogs");
        Path p = configured != null ? Path.of(configured) : Path.of("..", "catalogs");
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("the repository's catalogs/ directory is not at " + p.toAbsolutePath()
                    + "; run from the skyward-sky module or set -Dskyward.catalogs=DIR");
        }
        return p;
    }

    static List<Row> of(String provider) {
        try {
            List<String> lines = Files.readAllLines(dir().resolve(provider + ".csv"));
            List<Row> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                if (line.isBlank()) {
                    continue;
                }
                // instance_type,accelerator,accelerator_count,accelerator_memory_gib,vcpus,memory_gib,price,
                // spot_price,region,zone,arch (no quoted fields in these files)
                String[] f = line.split(",", -1);
                rows.add(new Row(provider, f[0], f[1], f[2].isEmpty() ? 0 : Integer.parseInt(f[2]),
                        Double.parseDouble(f[6]), f[7].isEmpty() ? Double.NaN : Double.parseDouble(f[7]), f[8], f[9]));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The rows the harness's three providers can offer for an accelerator, in provider order (AWS,
     * DigitalOcean, Verda) and file order: the harness's AWS provider serves us-east-1 only.
     */
    static List<Row> offered(String accelerator, int count) {
        List<Row> rows = new ArrayList<>();
        for (String p : List.of("aws", "digitalocean", "verda")) {
            of(p).stream().filter(r -> r.accelerator().equals(accelerator) && r.count() == count)
                    .filter(r -> !p.equals("aws") || r.region().equals("us-east-1")).forEach(rows::add);
        }
        return rows;
    }

    /** The rows at the lowest price on a market, among those matching. */
    static List<Row> cheapest(List<Row> rows, boolean spot, Predicate<Row> among) {
        List<Row> candidates = rows.stream().filter(among).filter(r -> !spot || r.hasSpot()).toList();
        double min = candidates.stream().mapToDouble(r -> r.price(spot)).min().orElseThrow();
        return candidates.stream().filter(r -> r.price(spot) == min)
                .sorted(Comparator.comparing(Row::region)).toList();
    }
}
