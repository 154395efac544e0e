package dev.skyward.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.skyward.spi.ProviderCheck;
import dev.skyward.spi.ProviderDescriptors;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code skyward check}: per provider, whether credentials are found, where, and what to set if not. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check credentials per provider (no network calls: it looks where the clouds' tools keep them).")
final class CheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-p", "--provider"}, split = ",", paramLabel = "PROVIDER",
            description = "Only these providers (default: every provider module on the classpath).")
    List<String> providers = new ArrayList<>();

    @Option(names = "--json", description = "JSON instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<String> names = providers.isEmpty() ? allProviders() : providers.stream().map(String::trim).toList();
        List<ProviderCheck> checks = names.stream().map(this::check).toList();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(checks));
        } else {
            int width = checks.stream().mapToInt(c -> c.provider().length()).max().orElse(0);
            for (ProviderCheck c : checks) {
                String name = c.provider() + " ".repeat(width - c.provider().length());
                out.println(c.ok() ? name + "  ok       " + c.source() : name + "  missing  " + c.message());
            }
        }
        out.flush();
        // Exit 1 only when no provider at all can be used: one usable cloud is enough to run pools.
        return checks.stream().anyMatch(ProviderCheck::ok) ? 0 : 1;
    }

    /** The provider modules on the classpath. */
    private static List<String> allProviders() {
        return ProviderDescriptors.names();
    }

    private ProviderCheck check(String name) {
        return ProviderDescriptors.find(name).check();
    }
}
