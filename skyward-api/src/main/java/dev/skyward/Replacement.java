package dev.skyward;

/**
 * What a pool does when it loses a node (its agent crashed, the machine went away, it stopped
 * answering, a health check failed, a spot instance was reclaimed): start a replacement through the
 * same provider, which gets the lost node's rank, or go on with one node fewer.
 *
 * <pre>{@code
 * ComputePool.builder().nodes(8).replacement(Replacement.atMost(5))   // up to 5 replacements per rank
 * ComputePool.builder().nodes(8).replacement(Replacement.NEVER)       // a lost node stays lost
 * }</pre>
 *
 * <p>The default, {@code atMost(3)} per rank, rides out spot reclaims and the odd crashed machine,
 * but stops paying for new machines when something about one rank's work keeps killing its node
 * (a task that exhausts the memory, a driver that crashes): the fourth loss of a rank is final, and
 * tasks pinned to it fail with {@link NodeLostException} saying so.
 *
 * @param maxPerRank how many times one rank is replaced, 0 for never
 */
public record Replacement(int maxPerRank) {

    /** Lost nodes are not replaced: the pool goes on with the others. */
    public static final Replacement NEVER = new Replacement(0);

    /** The default: every rank is replaced up to 3 times. */
    public static final Replacement DEFAULT = new Replacement(3);

    /**
     * @throws PoolConfigurationException for a negative count
     */
    public Replacement {
        if (maxPerRank < 0) {
            throw new PoolConfigurationException("the number of replacements per rank must not be negative, was "
                    + maxPerRank + "; use Replacement.NEVER to replace nothing");
        }
    }

    /**
     * Replace each rank at most {@code times} times.
     *
     * @param times 0 or more
     * @return the policy
     */
    public static Replacement atMost(int times) {
        return new Replacement(times);
    }

    /** Whether lost nodes are replaced at all. */
    public boolean replaces() {
        return maxPerRank > 0;
    }
}
