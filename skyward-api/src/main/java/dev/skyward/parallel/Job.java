package dev.skyward.parallel;

import dev.skyward.Task;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RunnableFuture;
import java.util.function.Function;

/**
 * One task handed to a {@link PoolExecutor}: its future, and, while it waits in the executor's queue,
 * what to send. {@link #run()} runs it in this JVM: that is what the tasks that
 * {@link PoolExecutor#shutdownNow()} hands back do, as {@code ThreadPoolExecutor}'s do.
 */
final class Job<T> extends CompletableFuture<T> implements RunnableFuture<T> {

    final Task<?> task;
    private final Callable<T> here;
    private final Function<Object, T> result;
    private final PoolExecutor owner;
    /** The node's future once sent; guarded by the owner. */
    CompletableFuture<?> remote;

    Job(PoolExecutor owner, Task<?> task, Callable<T> here, Function<Object, T> result) {
        this.owner = owner;
        this.task = task;
        this.here = here;
        this.result = result;
    }

    /** The node's answer arrived (or the send failed). */
    void settle(Object value, Throwable error) {
        if (error != null) {
            completeExceptionally(PoolExecutor.unwrap(error));
        } else {
            complete(result.apply(value));
        }
    }

    /**
     * As {@code FutureTask}: false once done (even if cancelled before), and a task still waiting is
     * never sent. A task already sent is interrupted on its node only when {@code mayInterrupt}; if
     * not, it runs to its end there and its result is dropped.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (isDone() || !completeExceptionally(new CancellationException("cancelled"))) {
            return false;
        }
        owner.cancelled(this, mayInterruptIfRunning);
        return true;
    }

    @Override
    public void run() {
        if (isDone()) {
            return;
        }
        try {
            complete(here.call());
        } catch (Throwable t) {
            completeExceptionally(t);
        }
    }

    @Override
    public String toString() {
        return "task of " + owner + (isDone() ? " (done)" : "");
    }
}
