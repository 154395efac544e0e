package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.skyward.ComputePool;
import dev.skyward.OutputListener;
import dev.skyward.TaskFailedException;
import dev.skyward.testkit.Leaks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A task's exception reaches the caller with its type, message, remote frames, causes and suppressed ones. */
class RemoteErrorTest {

    private static ComputePool pool;
    private static List<Integer> ports;

    @BeforeAll
    static void openPool() {
        pool = ComputePool.builder().name("error-test").nodes(2).console(false).output(OutputListener.SILENT).build();
        ports = Leaks.agentPorts(pool);
    }

    @AfterAll
    static void closePool() {
        pool.close();
        Leaks.assertNothingLeft(pool, ports);
    }

    /** An exception type that exists only in the test's classes: the node loads it from the client. */
    static final class TrainingDiverged extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final double loss;

        TrainingDiverged(double loss, Throwable cause) {
            super("loss went to " + loss, cause);
            this.loss = loss;
        }
    }

    static void failDeepInside() {
        throw new IllegalStateException("boom");
    }

    @Test
    void theOriginalTypeMessageAndRemoteStackComeBack() {
        TaskFailedException e = catchThrowableOfType(TaskFailedException.class, () -> pool.run(ctx -> {
            failDeepInside();
            return 1;
        }));
        assertThat(e.getCause()).isExactlyInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(e.getCause().getStackTrace()[0].getMethodName()).isEqualTo("failDeepInside");
        assertThat(Arrays.stream(e.getCause().getStackTrace()).map(StackTraceElement::getClassName))
                .contains("dev.skyward.agent.TaskRunner");
        assertThat(e.rank()).isBetween(0, 1);
        assertThat(e.getMessage()).contains("task " + e.taskId()).contains("failed on node").contains("boom");
    }

    @Test
    void causesAndSuppressedExceptionsComeBackRecursively() {
        TaskFailedException e = catchThrowableOfType(TaskFailedException.class, () -> pool.run(ctx -> {
            IOException io = new IOException("disk gone");
            io.addSuppressed(new IllegalArgumentException("also this"));
            throw new TrainingDiverged(Double.NaN, new IllegalStateException("outer", io));
        }));
        Throwable top = e.getCause();
        assertThat(top).isInstanceOf(TrainingDiverged.class).hasMessage("loss went to NaN");
        assertThat(((TrainingDiverged) top).loss).isNaN();
        assertThat(top.getCause()).isExactlyInstanceOf(IllegalStateException.class).hasMessage("outer");
        assertThat(top.getCause().getCause()).isExactlyInstanceOf(IOException.class).hasMessage("disk gone");
        Throwable[] suppressed = top.getCause().getCause().getSuppressed();
        assertThat(suppressed).hasSize(1);
        assertThat(suppressed[0]).isInstanceOf(IllegalArgumentException.class).hasMessage("also this");
        assertThat(top.getStackTrace()).isNotEmpty();
    }

    @Test
    void exceptionsWithoutAStringConstructorKeepTheirStackAndCause() {
        TaskFailedException e = catchThrowableOfType(TaskFailedException.class, () -> pool.run(ctx -> {
            throw new UncheckedIOException("cannot read shard", new IOException("EIO"));
        }));
        assertThat(e.getCause()).isExactlyInstanceOf(UncheckedIOException.class).hasMessage("cannot read shard");
        assertThat(e.getCause().getStackTrace()).isNotEmpty();
        assertThat(e.getCause().getStackTrace()[0].getClassName()).contains("RemoteErrorTest");
        assertThat(e.getCause().getCause()).isExactlyInstanceOf(IOException.class).hasMessage("EIO");
    }

    @Test
    void aFailedFutureCarriesTheSameFacts() throws Exception {
        CompletableFuture<Integer> f = pool.submit(ctx -> Integer.parseInt("not a number"));
        ExecutionException e = catchThrowableOfType(ExecutionException.class, f::get);
        assertThat(e.getCause()).isInstanceOf(TaskFailedException.class);
        assertThat(e.getCause().getCause()).isExactlyInstanceOf(NumberFormatException.class)
                .hasMessageContaining("not a number");
    }

    @Test
    void broadcastReportsTheFirstFailureInRankOrderAndSuppressesTheOthers() {
        TaskFailedException e = catchThrowableOfType(TaskFailedException.class, () -> pool.broadcast(ctx -> {
            throw new IllegalStateException("failed on " + ctx.rank());
        }));
        assertThat(e.rank()).isZero();
        assertThat(e.getCause()).hasMessage("failed on 0");
        assertThat(e.getSuppressed()).singleElement().isInstanceOf(TaskFailedException.class)
                .satisfies(s -> assertThat(s.getCause()).hasMessage("failed on 1"));
    }
}
