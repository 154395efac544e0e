package dev.skyward.digitalocean;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import java.nio.file.Files;
import java.nio.file.Path;

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
        String configured = System.getProperty("digitalocean.spec");
        Path p = configured != null ? Path.of(configured) : Path.of("..", "..", "..", RELATIVE);
        if (!Files.isRegularFile(p)) {
            Path fromRoot = Path.of("..", RELATIVE);
            if (Files.isRegularFile(fromRoot)) {
                return fromRoot.toAbsolutePath().normalize();
            }
            // Never skip: the contract is the point of these tests (CI has shared/ beside the clone).
            throw new IllegalStateException("DigitalOcean's OpenAPI spec is missing at " + p.toAbsolutePath().normalize()
                    + ": the DigitalOcean tests validate every request and response against it. Put the shared/ "
                    + "directory beside the repository (../shared/specs/digitalocean/droplets-subset.v2.yaml from "
                    + "the repository root) or run with -Ddigitalocean.spec=PATH");
        }
        return p.toAbsolutePath().normalize();
    }

    private static final class Holder {
        static final OpenApiInteractionValidator VALIDATOR = OpenApiInteractionValidator
                .createForSpecificationUrl("file:" + file())
                .withResolveCombinators(true)
                .build();
    }
}
