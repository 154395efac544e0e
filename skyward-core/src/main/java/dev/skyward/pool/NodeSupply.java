package dev.skyward.pool;

import dev.skyward.offer.Provisioned;
import dev.skyward.offer.Provisioner;
import dev.skyward.spi.Instance;
import dev.skyward.spi.InstanceStatus;
import dev.skyward.spi.LaunchRequest;
import dev.skyward.spi.PoolSpec;
import dev.skyward.spi.Provider;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Instances after the first provisioning, one at a time, from the provider and offer that
 * provisioned the pool: for a replacement and for growth. Each gets the lowest launch index the pool
 * has no instance for, so a replacement of a terminated instance gets that instance's index; the
 * provider's idempotent launch creates exactly that one.
 */
final class NodeSupply {

    private static final Logger LOG = LoggerFactory.getLogger(NodeSupply.class);
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(dev.skyward.wire.thread.DaemonThreads.named("skyward-supply-watchdog"));

    private final Provisioned provisioned;
    private final PoolSpec spec;
    private final String poolId;
    private final String sshPublicKey;
    /** The pool's ownership tags: replacements and growth carry them as the first nodes do. */
    private final Map<String, String> tags;
    /** Replacements and growth are billed too: each machine's own launch-to-termination time. */
    private final dev.skyward.offer.CostMeter meter;
    private final Set<Integer> reserved = new HashSet<>();

    NodeSupply(Provisioned provisioned, PoolSpec spec, String poolId, String sshPublicKey, Map<String, String> tags,
            dev.skyward.offer.CostMeter meter) {
        this.provisioned = provisioned;
        this.meter = meter;
        this.tags = Map.copyOf(tags);
        this.spec = spec;
        this.poolId = poolId;
        this.sshPublicKey = sshPublicKey;
    }

    Provider provider() {
        return provisioned.provider();
    }

    /** USD per hour of one node. */
    double nodePrice() {
        return provisioned.offer().price(provisioned.spot());
    }

    /**
     * Launches one instance and waits until it can be reached, within {@code timeout}.
     *
     * @throws InterruptedException when the timeout passed or the pool is closing
     */
    Instance launchOne(Duration timeout) throws InterruptedException {
        int index;
        LaunchRequest request;
        List<Instance> launched;
        Thread me = Thread.currentThread();
        ScheduledFuture<?> deadline = WATCHDOG.schedule(me::interrupt, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            // Choosing the index and launching are one step: two replacements at once must not pick the same index.
            synchronized (this) {
                Set<Integer> taken = new HashSet<>(reserved);
                for (Instance i : provider().describe(poolId)) {
                    if (i.status() != InstanceStatus.TERMINATED) {
                        taken.add(i.launchIndex());
                    }
                }
                index = 0;
                while (taken.contains(index)) {
                    index++;
                }
                reserved.add(index);
                request = Provisioner.launchRequest(spec, poolId, provisioned.offer(), index + 1, provisioned.spot(),
                        sshPublicKey, tags);
                launched = provider().launch(request);
            }
            try {
                // Billed from the request on, even if it never becomes ready.
                for (Instance i : launched) {
                    if (i.launchIndex() == index) {
                        meter.launched(provider().name(), i.id(), provisioned.offer(), provisioned.spot(),
                                java.time.Instant.now());
                    }
                }
                List<Instance> ready = Provisioner.awaitReady(provider(), request, launched);
                int want = index;
                return ready.stream().filter(i -> i.launchIndex() == want).findFirst()
                        .orElseThrow(() -> new IllegalStateException(provider().name() + " launched no instance with "
                                + "launch index " + want + " for pool " + poolId));
            } finally {
                synchronized (this) {
                    reserved.remove(index);
                }
            }
        } finally {
            if (!deadline.cancel(false)) {
                Thread.interrupted(); // a watchdog that fired at the end must not hit the caller's next wait
            }
        }
    }

    /** Terminates one instance of the pool and waits until it is gone. */
    void terminate(Instance instance) {
        LOG.debug("pool {}: terminating instance {} (index {})", poolId, instance.id(), instance.launchIndex());
        provider().terminate(poolId, List.of(instance.id()));
        meter.ended(instance.id());
    }

    /** The instance with a launch index, as the provider describes it now, or null. */
    Instance withIndex(int index) {
        return provider().describe(poolId).stream().filter(i -> i.launchIndex() == index).findFirst().orElse(null);
    }
}
