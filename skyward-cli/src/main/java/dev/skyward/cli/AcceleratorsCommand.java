package dev.skyward.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.skyward.offer.AcceleratorNames;
import dev.skyward.offer.Catalog;
import dev.skyward.offer.KnownAccelerator;
import dev.skyward.spi.Offer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code skyward accelerators}: the known names, and which providers offer them with which counts. */
@Command(name = "accelerators", mixinStandardHelpOptions = true,
        description = "List known accelerator names and which providers offer them (counts per node).")
final class AcceleratorsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--all", description = "Also names no catalog offers.")
    boolean all;

    @Option(names = "--json", description = "JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<Offer> offers = new ArrayList<>();
        for (String p : Catalog.providers()) {
            offers.addAll(Catalog.load(p).offers());
        }
        AcceleratorNames names = AcceleratorNames.builtIn().withNames(offers.stream().map(Offer::accelerator).toList());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (KnownAccelerator k : names.known()) {
            Map<String, TreeSet<Integer>> byProvider = new LinkedHashMap<>();
            for (Offer o : offers) {
                if (o.accelerator().name().equals(k.name())) {
                    byProvider.computeIfAbsent(o.provider(), p -> new TreeSet<>()).add(o.accelerator().count());
                }
            }
            if (byProvider.isEmpty() && !all) {
                continue;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", k.name());
            row.put("memoryGiB", k.memoryGiB());
            row.put("vendor", k.vendor());
            row.put("providers", byProvider);
            rows.add(row);
        }
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(rows));
        } else {
            Table t = new Table("ACCELERATOR", "MEMORY>", "VENDOR", "OFFERED BY (COUNTS PER NODE)");
            for (Map<String, Object> r : rows) {
                @SuppressWarnings("unchecked")
                Map<String, TreeSet<Integer>> by = (Map<String, TreeSet<Integer>>) r.get("providers");
                String offered = by.isEmpty() ? "-" : by.entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue().stream().map(String::valueOf)
                                .collect(Collectors.joining(",")))
                        .collect(Collectors.joining("; "));
                t.row(r.get("name"), r.get("memoryGiB") + " GiB", r.get("vendor"), offered);
            }
            t.print(out);
        }
        out.flush();
        return 0;
    }
}
