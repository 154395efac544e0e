package dev.skyward;

import java.io.Serializable;

/**
 * A unit of work that runs on one node of a {@link ComputePool}.
 *
 * <p>A task is usually a lambda. It is serialized on the caller's thread when it is submitted, so
 * everything it captures must be able to travel: {@link java.io.Serializable} values, not
 * connections, threads or streams. A capture that cannot travel fails at once with a
 * {@link TaskSerializationException} naming the offending type and the path to it.
 *
 * <pre>{@code
 * int epochs = 3;
 * double loss = pool.run(ctx -> train(epochs, ctx.rank()));
 * }</pre>
 *
 * @param <T> the result type; it travels back to the caller, so it should be serializable too
 */
@FunctionalInterface
public interface Task<T> extends Serializable {

    /**
     * Runs on the node.
     *
     * @param ctx where this task runs: rank, world size, head address, accelerator, environment
     * @return the result, sent back to the caller
     * @throws Exception anything; it reaches the caller as a {@link TaskFailedException} whose cause
     *     is the original exception (type, message, remote stack, causes and suppressed ones)
     */
    T call(NodeContext ctx) throws Exception;

    /**
     * This task, marked to run at most once: if its node is lost while it runs, it fails with
     * {@link NodeLostException} instead of being retried on another node (see
     * {@link ComputePool.Builder#retries(int)}). For work with effects outside the node that must not
     * happen twice, such as charging a card or sending a mail.
     *
     * <pre>{@code
     * pool.run(Task.once(ctx -> mailer.send(report)));
     * }</pre>
     *
     * @param task the task
     * @param <T> result type
     * @return the task, marked
     */
    static <T> Task<T> once(Task<T> task) {
        return task instanceof Once<T> o ? o : new Once<>(Require.notNull(task, "task"));
    }

    /**
     * A task that is never retried after a node loss; made by {@link Task#once(Task)}.
     *
     * @param task the task it runs
     * @param <T> result type
     */
    record Once<T>(Task<T> task) implements Task<T> {
        private static final long serialVersionUID = 1L;

        @Override
        public T call(NodeContext ctx) throws Exception {
            return task.call(ctx);
        }
    }
}
