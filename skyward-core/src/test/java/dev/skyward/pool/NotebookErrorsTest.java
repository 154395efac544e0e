package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skyward.ComputePool;
import dev.skyward.OutputListener;
import dev.skyward.TaskFailedException;
import dev.skyward.testkit.Leaks;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A failed task reads well where only the top exception is printed (JShell, Jupyter kernels): its
 * own stack trace shows where it failed on the node, then where the client waited, and its first
 * line names the root cause.
 */
class NotebookErrorsTest {

    private static ComputePool pool;
    private static List<Integer> ports;

    @BeforeAll
    static void openPool() {
        pool = ComputePool.builder().name("notebook-errors").console(false).output(OutputListener.SILENT).build();
        ports = Leaks.agentPorts(pool);
    }

    @AfterAll
    static void closePool() {
        pool.close();
        Leaks.assertNothingLeft(pool, ports);
    }

    static void readShard() {
        throw new UncheckedIOException("cannot read shard 3", new IOException("EIO on /data/shard-3"));
    }

    @Test
    void theTopExceptionsStackShowsTheRemoteFramesThenTheClients() {
        TaskFailedException e = catchThrowableOfType(TaskFailedException.class, () -> pool.run(ctx -> {
            readShard();
            return 0;
        }));
        List<String> frames = Arrays.stream(e.getStackTrace()).map(f -> f.getClassName() + "." + f.getMethodName()).toList();
        int remote = frames.indexOf(NotebookErrorsTest.class.getName() + ".readShard");
        int separator = indexOfFirst(frames, "node 0");
        int client = frames.indexOf(NotebookErrorsTest.class.getName() + ".theTopExceptionsStackShowsTheRemoteFramesThenTheClients");
        assertThat(remote).as("remote frame in %s", frames).isZero();
        assertThat(frames.subList(0, separator)).anyMatch(f -> f.startsWith("dev.skyward.agent.TaskRunner"));
        assertThat(separator).as("separator in %s", frames).isGreaterThan(remote);
        assertThat(client).as("client frame in %s", frames).isGreaterThan(separator);
        // The cause is untouched: its frames are the node's alone.
        assertThat(e.getCause().getStackTrace()[0].getMethodName()).isEqualTo("readShard");
    }

    @Test
    void theFirstLineNamesTheTasksExceptionAndItsRootCause() {
        TaskFailedException e = catchThrowableOfType(TaskFailedException.class, () -> pool.run(ctx -> {
            readShard();
            return 0;
        }));
        assertThat(e.getMessage().lines().findFirst().orElseThrow())
                .contains("java.io.UncheckedIOException: cannot read shard 3")
                .contains("root cause: java.io.IOException: EIO on /data/shard-3");
    }

    /** Fine on the client, broken on the nodes: the library's own deserialization fails there, four causes deep. */
    static final class NeedsADriver implements Serializable {
        private static final long serialVersionUID = 1L;
        static final String DRIVER = System.getProperty("skyward.node.pool") == null ? "client" : load();

        private static String load() {
            throw new IllegalStateException("libcudart.so.12 is not installed on this node");
        }

        String name() {
            return DRIVER;
        }
    }

    @Test
    void whenTheLibrarysOwnStepFailsTheFirstLineSaysWhatWentWrongNotTheInternalException() {
        NeedsADriver captured = new NeedsADriver();
        TaskFailedException e = catchThrowableOfType(TaskFailedException.class, () -> pool.run(ctx -> captured.name()));
        String first = e.getMessage().lines().findFirst().orElseThrow();
        assertThat(first).contains("libcudart.so.12 is not installed on this node");
        assertThat(first).doesNotContain("dev.skyward.agent.shaded");
    }

    private static int indexOfFirst(List<String> frames, String part) {
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }
}
