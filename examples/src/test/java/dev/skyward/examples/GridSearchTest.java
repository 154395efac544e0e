package dev.skyward.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.ComputePool;
import dev.skyward.examples.GridSearch.Score;
import dev.skyward.testkit.Leaks;
import dev.skyward.testing.TestClasspath;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Tribuo's cross-validated grid search gives the same scores on the pool as on local threads. */
class GridSearchTest {

    @Test
    void theGridScoredOnThePoolEqualsTheGridScoredLocally() throws Exception {
        List<GridSearch.Params> grid = GridSearch.grid();
        ExecutorService local = Executors.newFixedThreadPool(2);
        List<Score> here;
        try {
            here = GridSearch.search(local, grid);
        } finally {
            local.shutdown();
        }
        ComputePool pool = ComputePool.builder().name("grid-search").nodes(2).concurrency(2).console(false)
                .output(l -> { }).build();
        List<Integer> ports = Leaks.agentPorts(pool);
        List<Score> remote;
        try (pool) {
            ExecutorService exec = pool.executor();
            remote = GridSearch.search(exec, grid);
            exec.shutdown();
            assertThat(exec.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        Leaks.assertNothingLeft(pool, ports);
        assertThat(remote).isEqualTo(here);
        assertThat(GridSearch.best(remote)).isEqualTo(GridSearch.best(here));
        // The grid means something: the scores differ, and the best one learned the data.
        assertThat(here.stream().map(Score::accuracy).distinct().count()).isGreaterThan(3);
        assertThat(GridSearch.best(here).accuracy()).isGreaterThan(0.75);
    }

    @Test
    void theExampleRunsInAJvmStartedWithoutFlags() throws Exception {
        Process p = TestClasspath.plainJava(GridSearch.class).redirectErrorStream(true).start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("best: ").containsPattern("log +lr=0.01 +epochs=1  accuracy=0\\.\\d{4}");
    }
}
