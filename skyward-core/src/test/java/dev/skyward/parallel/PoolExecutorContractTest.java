package dev.skyward.parallel;

import dev.skyward.ComputePool;
import dev.skyward.testkit.Leaks;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The same contract on {@code pool.executor()}: two real agent JVMs, one task slot each. */
class PoolExecutorContractTest extends ExecutorServiceContract {

    private static ComputePool pool;
    private static List<Integer> ports;

    @BeforeAll
    static void openPool() {
        pool = ComputePool.builder().name("executor-contract").nodes(SLOTS).console(false).output(l -> { }).build();
        ports = Leaks.agentPorts(pool);
    }

    @AfterAll
    static void closePoolAndCheckNothingIsLeft() {
        pool.close();
        Leaks.assertNothingLeft(pool, ports);
    }

    @Override
    ExecutorService newExecutor() {
        return pool.executor();
    }
}
