package dev.skyward.offer;

import dev.skyward.spi.Instance;
import dev.skyward.spi.InstanceStatus;
import dev.skyward.spi.LaunchRequest;
import dev.skyward.spi.NodeAccess;
import dev.skyward.spi.Provider;
import dev.skyward.spi.ProviderException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's half of the readiness contract ({@link Provider#launch}): after a launch, poll
 * {@link Provider#describe} until every launched instance runs and can be reached. The caller bounds
 * the wait (the provisioning deadline) by interrupting it.
 */
final class Readiness {

    private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);
    private static final Duration FIRST_WAIT = Duration.ofMillis(200);
    private static final Duration MAX_WAIT = Duration.ofSeconds(5);

    private Readiness() {
    }

    /**
     * Waits until the launched instances are ready.
     *
     * @param provider who launched them
     * @param request the launch
     * @param launched what launch returned
     * @return the instances as describe reports them once ready (launch's own when they already were)
     * @throws ProviderException CAPACITY when an instance turned {@link InstanceStatus#NO_CAPACITY},
     *     FATAL when one failed or vanished
     * @throws InterruptedException when the deadline passed (the caller interrupts)
     */
    static List<Instance> await(Provider provider, LaunchRequest request, List<Instance> launched)
            throws InterruptedException {
        if (launched == null) {
            return null;
        }
        List<Instance> current = live(launched);
        Duration wait = FIRST_WAIT;
        while (true) {
            checkFailures(provider, current);
            List<Instance> notReady = current.stream().filter(i -> !ready(provider, i)).toList();
            if (notReady.isEmpty() && current.size() >= Math.min(request.count(), launched.size())) {
                return current;
            }
            LOG.debug("pool {}: waiting {} for {} of {} instances on {} to run: {}", request.poolId(), wait,
                    notReady.size(), current.size(), provider.name(), notReady.stream().map(Instance::id).toList());
            Thread.sleep(wait.toMillis());
            wait = wait.multipliedBy(2).compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait.multipliedBy(2);
            current = refresh(provider, request.poolId(), current);
        }
    }

    /** The launched instances that had not failed already (launch may return extra, failed ones). */
    private static List<Instance> live(List<Instance> launched) {
        return launched.stream().filter(i -> i.status() != InstanceStatus.TERMINATED
                && i.status() != InstanceStatus.ERROR && i.status() != InstanceStatus.NO_CAPACITY).toList();
    }

    private static boolean ready(Provider provider, Instance i) {
        if (i.status() != InstanceStatus.RUNNING) {
            return false;
        }
        return i.ssh() != null || provider.access(i).login() == NodeAccess.Login.LOCAL_PROCESS;
    }

    private static void checkFailures(Provider provider, List<Instance> current) {
        for (Instance i : current) {
            if (i.status() == InstanceStatus.NO_CAPACITY) {
                throw new ProviderException(ProviderException.Kind.CAPACITY, provider.name() + " accepted instance "
                        + i.id() + " but had no capacity to place it");
            }
            if (i.status() == InstanceStatus.ERROR || i.status() == InstanceStatus.TERMINATED) {
                throw new ProviderException(ProviderException.Kind.FATAL, "instance " + i.id() + " on "
                        + provider.name() + " ended " + i.status() + " while starting");
            }
        }
    }

    /**
     * The same instances as describe sees them now. One describe does not list yet (eventual
     * consistency) keeps its last known state and is asked about again.
     */
    private static List<Instance> refresh(Provider provider, String poolId, List<Instance> current) {
        Map<String, Instance> now = new HashMap<>();
        for (Instance i : provider.describe(poolId)) {
            now.put(i.id(), i);
        }
        List<Instance> out = new ArrayList<>(current.size());
        for (Instance i : current) {
            Instance seen = now.get(i.id());
            out.add(seen != null ? seen : i);
        }
        return out;
    }
}
