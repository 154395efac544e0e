package dev.skyward.spi;

/**
 * A machine a provider made (or, for the local provider, a sandbox on this machine).
 *
 * @param id the provider's id
 * @param provider provider name
 * @param poolId the pool it belongs to (its tag or label)
 * @param launchIndex position in the launch request; rank 0 goes to the lowest index
 * @param status its state
 * @param publicAddress address reachable from the client, or {@code null}
 * @param privateAddress address other nodes reach it by, or {@code null}
 * @param ssh how to log in, or {@code null} when the instance is not reached over SSH (local)
 */
public record Instance(String id, String provider, String poolId, int launchIndex, InstanceStatus status,
        String publicAddress, String privateAddress, SshEndpoint ssh) {

    /** The address other nodes should use: private where there is one, else public. */
    public String clusterAddress() {
        return privateAddress != null ? privateAddress : publicAddress;
    }
}
