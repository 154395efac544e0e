package dev.skyward.parallel;

import dev.skyward.NodeContext;
import dev.skyward.Task;
import java.util.concurrent.Callable;

/** The executor's callables, runnables and suppliers as pool tasks: what actually travels. */
final class NodeTasks {

    private NodeTasks() {
    }

    static final class OfCallable<T> implements Task<T> {
        private static final long serialVersionUID = 1L;
        private final Callable<T> callable;

        OfCallable(Callable<T> callable) {
            this.callable = callable;
        }

        @Override
        public T call(NodeContext ctx) throws Exception {
            return callable.call();
        }

        Callable<T> callable() {
            return callable;
        }
    }

    static final class OfRunnable implements Task<Object> {
        private static final long serialVersionUID = 1L;
        private final Runnable runnable;

        OfRunnable(Runnable runnable) {
            this.runnable = runnable;
        }

        @Override
        public Object call(NodeContext ctx) {
            runnable.run();
            return null;
        }
    }

    static final class OfSupplier<T> implements Task<T> {
        private static final long serialVersionUID = 1L;
        private final RemoteSupplier<T> supplier;

        OfSupplier(RemoteSupplier<T> supplier) {
            this.supplier = supplier;
        }

        @Override
        public T call(NodeContext ctx) {
            return supplier.get();
        }
    }
}
