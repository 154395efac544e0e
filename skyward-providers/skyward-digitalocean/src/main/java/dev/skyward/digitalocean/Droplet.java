package dev.skyward.digitalocean;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyward.spi.Instance;
import dev.skyward.spi.InstanceStatus;
import dev.skyward.spi.SshEndpoint;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * What this provider reads from a droplet: {@code new} is pending; {@code active} is running once it
 * has a public IPv4 (until then still pending, with no SSH endpoint); {@code off} is stopping (it is
 * still billed); {@code archive} is gone.
 */
record Droplet(long id, String name, InstanceStatus status, String publicIp, String privateIp) {

    static Droplet of(JsonNode d) {
        String pub = null;
        String priv = null;
        for (JsonNode n : d.path("networks").path("v4")) {
            if ("public".equals(n.path("type").asText()) && pub == null) {
                pub = n.path("ip_address").asText(null);
            } else if ("private".equals(n.path("type").asText()) && priv == null) {
                priv = n.path("ip_address").asText(null);
            }
        }
        InstanceStatus status = switch (d.path("status").asText()) {
            case "active" -> pub != null ? InstanceStatus.RUNNING : InstanceStatus.PENDING;
            case "off" -> InstanceStatus.STOPPING;
            case "archive" -> InstanceStatus.TERMINATED;
            default -> InstanceStatus.PENDING;
        };
        return new Droplet(d.path("id").asLong(), d.path("name").asText(), status, pub, priv);
    }

    OptionalInt index() {
        return DropletNaming.index(name);
    }

    Instance instance(String poolId, Function<String, SshEndpoint> login) {
        SshEndpoint ssh = status == InstanceStatus.RUNNING ? login.apply(publicIp) : null;
        return new Instance(Long.toString(id), DigitalOcean.NAME, poolId, index().orElse(Integer.MAX_VALUE), status,
                publicIp, privateIp, ssh);
    }
}
