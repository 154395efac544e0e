package dev.skyward.digitalocean;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * DigitalOcean's published OpenAPI contract (the droplet subset in {@code ../shared/specs}), loaded
 * once per test JVM: it takes seconds.
 */
final class DigitalOceanSpec {

    private static final String RELATIVE = "shared/specs/digitalocean/droplets-subset.v2.yaml";

    private DigitalOceanSpec() {
    }

    /** The validator every request and response of the fake goes through. */
    static OpenApiInteractionValidator validator() {
        return Holder.VALIDATOR;
    }

    static Path file() {
        // Configured by the build from the repository root; else relative to the module or the root.
        List<Path> candidates = new ArrayList<>();
        String configured = System.getProperty("digitalocean.spec");
        if (configured != null) {
            candidates.add(Path.of(configured));
        }
        candidates.add(Path.of("..", "..", "..", RELATIVE));
        candidates.add(Path.of("..", RELATIVE));
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        // Never skip: the contract is the point of these tests (CI has shared/ beside the clone).
        throw new IllegalStateException("DigitalOcean's OpenAPI spec is missing (looked at " + candidates.stream()
                .map(p -> p.toAbsolutePath().normalize().toString()).toList() + "): the DigitalOcean tests validate "
                + "every request and response against it. Put the shared/ directory beside the repository "
                + "(../shared/specs/digitalocean/droplets-subset.v2.yaml from the repository root) or run with "
                + "-Ddigitalocean.spec=PATH");
    }

    private static final class Holder {
        static final OpenApiInteractionValidator VALIDATOR = OpenApiInteractionValidator
                .createForSpecificationUrl("file:" + file())
                .withResolveCombinators(true)
                .build();
    }
}
