package dev.skyward.parallel;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The contract's reference: the JDK's own executor, with as many threads as the pool has slots. */
class ThreadPoolExecutorContractTest extends ExecutorServiceContract {

    @Override
    ExecutorService newExecutor() {
        return new ThreadPoolExecutor(SLOTS, SLOTS, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
    }
}
