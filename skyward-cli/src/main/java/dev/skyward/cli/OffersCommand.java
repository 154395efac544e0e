package dev.skyward.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.skyward.Accelerator;
import dev.skyward.Allocation;
import dev.skyward.Selection;
import dev.skyward.offer.AcceleratorNames;
import dev.skyward.offer.Candidate;
import dev.skyward.offer.Catalog;
import dev.skyward.offer.OfferSearch;
import dev.skyward.spi.Offer;
import dev.skyward.spi.OfferQuery;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code skyward offers}: the catalog rows matching filters, as a sorted table or JSON. */
@Command(name = "offers", mixinStandardHelpOptions = true,
        description = "List offers from the catalogs (built-in, or ~/.skyward/catalogs/<provider>.csv).")
final class OffersCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-a", "--accelerator"}, paramLabel = "NAME[:COUNT]",
            description = "Accelerator per node, any spelling: H100, H100:8, A100-80GB, nvidia_h100.")
    String accelerator;

    @Option(names = {"-c", "--count"}, paramLabel = "N", description = "Accelerators per node (default 1, or the :COUNT).")
    Integer count;

    @Option(names = "--spot", description = "Spot offers only, priced at the spot price.")
    boolean spot;

    @Option(names = {"-r", "--region"}, split = ",", paramLabel = "REGION", description = "Only these regions.")
    List<String> regions = new ArrayList<>();

    @Option(names = {"-p", "--provider"}, split = ",", paramLabel = "PROVIDER",
            description = "Only these providers, in this order (default: every provider with a catalog).")
    List<String> providers = new ArrayList<>();

    @Option(names = "--max-price", paramLabel = "USD", description = "At most this many USD per node and hour.")
    Double maxPrice;

    @Option(names = "--min-vcpus", paramLabel = "N", description = "At least this many vCPUs per node.")
    int minVcpus;

    @Option(names = "--min-memory", paramLabel = "GIB", description = "At least this much memory per node.")
    double minMemory;

    @Option(names = {"-n", "--nodes"}, paramLabel = "N", description = "Nodes in the pool, for the total price (default 1).")
    int nodes = 1;

    @Option(names = "--sort", paramLabel = "ORDER", description = "price (cheapest first, the default) or catalog "
            + "(providers in the order given, catalog order inside).")
    String sort = "price";

    @Option(names = "--limit", paramLabel = "N", description = "Show at most N rows (default all).")
    int limit = Integer.MAX_VALUE;

    @Option(names = "--json", description = "JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (nodes < 1) {
            throw new IllegalArgumentException("--nodes must be at least 1");
        }
        if (maxPrice != null && !(maxPrice > 0)) {
            throw new IllegalArgumentException("--max-price must be a positive number of USD per node and hour, was "
                    + (maxPrice == Math.rint(maxPrice) ? Long.toString(maxPrice.longValue()) : maxPrice.toString()));
        }
        Selection selection = switch (sort.toLowerCase(Locale.ROOT)) {
            case "price", "cheapest" -> Selection.CHEAPEST;
            case "catalog", "first" -> Selection.FIRST;
            default -> throw new IllegalArgumentException("--sort must be price or catalog, was '" + sort + "'");
        };
        List<Offer> offers = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (String p : providers.isEmpty() ? Catalog.providers() : providers) {
            Catalog c = Catalog.load(p.trim());
            if (c.offers().isEmpty()) {
                throw new IllegalArgumentException("no catalog for provider '" + p + "'; known: " + Catalog.providers()
                        + " (or put " + Catalog.overrideDirectory().resolve(p + ".csv") + ")");
            }
            offers.addAll(c.offers());
            sources.add(p + " (" + c.source() + ")");
        }
        OfferQuery query = new OfferQuery(accelerator(offers), nodes, spot ? Allocation.SPOT : Allocation.ON_DEMAND,
                minVcpus, minMemory, regions, maxPrice == null ? Double.POSITIVE_INFINITY : maxPrice);
        List<Candidate> found = OfferSearch.select(offers, query, List.of(), selection);
        if (found.isEmpty()) {
            err.println("skyward: " + OfferSearch.explainEmpty(offers, query, List.of()));
            return 1;
        }
        List<Candidate> shown = found.subList(0, Math.min(limit, found.size()));
        if (json) {
            printJson(out, shown);
        } else {
            printTable(out, shown);
            out.println();
            out.println(found.size() + (found.size() == 1 ? " offer" : " offers")
                    + (shown.size() < found.size() ? " (" + shown.size() + " shown)" : "")
                    + "; catalogs: " + String.join(", ", sources));
        }
        out.flush();
        return 0;
    }

    private Accelerator accelerator(List<Offer> offers) {
        if (accelerator == null) {
            if (count != null) {
                throw new IllegalArgumentException("--count needs --accelerator");
            }
            return Accelerator.NONE;
        }
        AcceleratorNames names = AcceleratorNames.builtIn().withNames(offers.stream().map(Offer::accelerator).toList());
        Accelerator a = names.parse(accelerator);
        if (count != null) {
            if (count < 1) {
                throw new IllegalArgumentException("--count must be at least 1");
            }
            if (a.count() != 1 && a.count() != count) {
                throw new IllegalArgumentException("--accelerator " + accelerator + " and --count " + count
                        + " disagree; give the count once");
            }
            a = Accelerator.of(a.name(), count, a.memoryGiB());
        }
        return a;
    }

    private void printTable(PrintWriter out, List<Candidate> shown) {
        boolean total = nodes > 1;
        Table t = total
                ? new Table("PROVIDER", "INSTANCE TYPE", "ACCELERATOR", "GPU MEM>", "VCPUS>", "MEMORY>", "REGION",
                        "ZONE", "MARKET", "$/H>", "TOTAL $/H>")
                : new Table("PROVIDER", "INSTANCE TYPE", "ACCELERATOR", "GPU MEM>", "VCPUS>", "MEMORY>", "REGION",
                        "ZONE", "MARKET", "$/H>");
        for (Candidate c : shown) {
            Offer o = c.offer();
            Accelerator a = o.accelerator();
            List<Object> row = new ArrayList<>(List.of(o.provider(), o.instanceType(), a.isPresent() ? a.toString() : "-",
                    a.memoryGiB() > 0 ? a.memoryGiB() + " GiB" : "-", o.vcpus(), number(o.memoryGiB()) + " GiB",
                    o.region(), o.zone().isEmpty() ? "-" : o.zone(), c.market(), money(c.price())));
            if (total) {
                row.add(money(c.totalPrice(nodes)));
            }
            t.row(row.toArray());
        }
        t.print(out);
    }

    private void printJson(PrintWriter out, List<Candidate> shown) throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Candidate c : shown) {
            Offer o = c.offer();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("provider", o.provider());
            m.put("instanceType", o.instanceType());
            m.put("accelerator", o.accelerator().isPresent() ? o.accelerator().name() : null);
            m.put("acceleratorCount", o.accelerator().count());
            m.put("acceleratorMemoryGiB", o.accelerator().memoryGiB());
            m.put("vcpus", o.vcpus());
            m.put("memoryGiB", o.memoryGiB());
            m.put("region", o.region());
            m.put("zone", o.zone().isEmpty() ? null : o.zone());
            m.put("arch", o.arch());
            m.put("spot", c.spot());
            m.put("pricePerHour", c.price());
            m.put("nodes", nodes);
            m.put("totalPerHour", c.totalPrice(nodes));
            rows.add(m);
        }
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(rows));
    }

    /** Two decimals, more where the list price has them (AWS quotes e.g. 1.3232). */
    static String money(double usd) {
        BigDecimal d = BigDecimal.valueOf(usd).setScale(4, RoundingMode.HALF_UP).stripTrailingZeros();
        return (d.scale() < 2 ? d.setScale(2) : d).toPlainString();
    }

    private static String number(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
