package dev.skyward.sky;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skyward.ComputePool;
import dev.skyward.NodeInfo;
import dev.skyward.OutputListener;
import dev.skyward.PoolEvent;
import dev.skyward.ProvisioningException;
import dev.skyward.Selection;
import dev.skyward.console.ConsoleRenderer;
import dev.skyward.sky.CatalogRows.Row;
import dev.skyward.sky.Clouds.Cloud;
import dev.skyward.sky.Clouds.Failure;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When clouds say no: the pool moves on to the next cloud's offer, cleans up what the refusing cloud
 * half-made, and when every cloud refuses it fails once, with every attempt and why, leaving nothing.
 */
@Timeout(240)
class FailoverAcrossCloudsTest {

    static Clouds clouds;

    @BeforeAll
    static void start() throws Exception {
        clouds = Clouds.start();
    }

    @AfterAll
    static void stop() {
        if (clouds != null) {
            clouds.close();
        }
    }

    @AfterEach
    void healthyAgain() {
        clouds.reset();
    }

    @Test
    void theCheapestCloudOutOfCapacityHandsThePoolToTheNextCheapestAndItsHalfMadeInstancesAreGone() {
        List<Row> offered = CatalogRows.offered("H100", 1);
        Row cheapest = CatalogRows.cheapest(offered, false, r -> true).get(0);
        String cheapestCloud = cheapest.provider();
        Row next = CatalogRows.cheapest(offered, false, r -> !r.provider().equals(cheapestCloud)).get(0);
        clouds.fail(Cloud.valueOf(cheapestCloud.toUpperCase()), Failure.CAPACITY);

        Recorded events = new Recorded();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream consoleOut = new PrintStream(console, true, StandardCharsets.UTF_8);
        try (ComputePool pool = ComputePool.builder().console(false).output(OutputListener.SILENT).listener(events)
                .listener(new ConsoleRenderer(consoleOut))
                .provider(clouds.all()).accelerator("H100").nodes(2).selection(Selection.CHEAPEST)
                .provisionTimeout(Duration.ofMinutes(2)).build()) {
            // Real tasks, on the next cloud's instances, through SSH and the agents.
            assertThat(pool.nodes()).extracting(NodeInfo::provider).containsOnly(next.provider());
            assertThat(pool.broadcast(ctx -> ctx.rank() + "/" + ctx.worldSize())).containsExactly("0/2", "1/2");
            assertThat(pool.map(IntStream.rangeClosed(1, 6).boxed().toList(), (ctx, x) -> x * x))
                    .containsExactly(1, 4, 9, 16, 25, 36);
            // While the pool runs, nothing of the refused tries is left on the cheapest cloud.
            assertThat(leftOn(cheapestCloud)).as("half-made instances on " + cheapestCloud).isEmpty();
        }
        List<PoolEvent.AttemptFailed> failures = events.failures();
        assertThat(failures).isNotEmpty().allSatisfy(f -> {
            assertThat(f.offer().provider()).isEqualTo(cheapestCloud);
            assertThat(f.reason()).startsWith("capacity:");
        });
        assertThat(events.tried().get(0).provider()).isEqualTo(cheapestCloud);
        assertThat(events.tried()).last().satisfies(o -> {
            assertThat(o.provider()).isEqualTo(next.provider());
            assertThat(o.onDemandPrice()).isEqualTo(next.onDemand());
        });
        // The console told the story as it happened: the refused offer, then the one that ran.
        List<String> lines = console.toString(StandardCharsets.UTF_8).lines().toList();
        System.out.println("console of the failover pool (quoted in README.md):\n" + String.join("\n", lines));
        int refused = indexOf(lines, "skyward:   " + failures.get(0).offer() + " failed: capacity:", 0);
        int ran = indexOf(lines, "skyward: trying 2 x " + events.tried().get(events.tried().size() - 1) + " (", refused);
        assertThat(refused).as("the refusal on the console").isNotNegative();
        assertThat(ran).as("then the next cloud's offer on the console").isGreaterThan(refused);
        if (cheapestCloud.equals("verda")) {
            // Verda accepts the order and then reports the instance no_capacity: a half-made instance
            // that exists (and is billed) until deleted. It was created, and it is gone.
            assertThat(clouds.verda.requests()).contains("POST /v1/instances");
        }
        clouds.assertNothingLeftAnywhere(events.poolId());
    }

    private static List<String> leftOn(String cloud) {
        return switch (cloud) {
            case "aws" -> clouds.aws.leftovers();
            case "digitalocean" -> clouds.digitalOcean.leftovers();
            default -> clouds.verda.leftovers();
        };
    }

    @Test
    void quotaHereBadCredentialsThereAndNoCapacityOnTheThirdFailOnceWithEveryAttemptAndLeaveNothing() {
        clouds.fail(Cloud.AWS, Failure.QUOTA);
        clouds.fail(Cloud.DIGITALOCEAN, Failure.CREDENTIALS);
        clouds.fail(Cloud.VERDA, Failure.CAPACITY);
        Recorded events = new Recorded();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream consoleOut = new PrintStream(console, true, StandardCharsets.UTF_8);

        ProvisioningException e = catchThrowableOfType(ProvisioningException.class, () -> ComputePool.builder()
                .console(false).listener(new ConsoleRenderer(consoleOut)).listener(events)
                .provider(clouds.all()).accelerator("H100").provisionTimeout(Duration.ofMinutes(2)).build());

        assertThat(e).as("the pool failed with a ProvisioningException").isNotNull();
        assertThat(e.attempts()).as("one line per attempt").hasSize(events.failures().size());
        assertThat(e.attempts()).anySatisfy(a -> assertThat(a).startsWith("aws/").contains("quota:")
                .contains("VcpuLimitExceeded"));
        assertThat(e.attempts()).anySatisfy(a -> assertThat(a).startsWith("digitalocean/").contains("credentials:")
                .contains("Unable to authenticate you"));
        assertThat(e.attempts()).anySatisfy(a -> assertThat(a).startsWith("verda/").contains("capacity:"));
        assertThat(e.attempts()).allSatisfy(a -> assertThat(e.getMessage()).contains(a));

        // The console showed each attempt as it happened: "trying X", then "X failed: why", in order.
        List<String> lines = console.toString(StandardCharsets.UTF_8).lines().toList();
        System.out.println("console of the refused pool (quoted in README.md):\n" + String.join("\n", lines)
                + "\nits exception:\n" + e.getMessage());
        List<PoolEvent.AttemptFailed> failures = events.failures();
        int at = 0;
        for (PoolEvent.AttemptFailed f : failures) {
            String trying = "skyward: trying 1 x " + f.offer() + " (";
            String failed = "skyward:   " + f.offer() + " failed: " + f.reason();
            int t = indexOf(lines, trying, at);
            int x = indexOf(lines, failed, t);
            assertThat(t).as(trying + " in\n" + String.join("\n", lines)).isGreaterThanOrEqualTo(at);
            assertThat(x).as(failed + " after it in\n" + String.join("\n", lines)).isGreaterThan(t);
            at = x;
        }
        clouds.assertNothingLeftAnywhere(events.poolId());
    }

    /** The first line at or after {@code from} that starts with {@code line}, or -1. */
    private static int indexOf(List<String> lines, String line, int from) {
        for (int i = Math.max(0, from); i < lines.size(); i++) {
            if (lines.get(i).startsWith(line)) {
                return i;
            }
        }
        return -1;
    }
}
