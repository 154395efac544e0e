package dev.skyward.aws;

import dev.skyward.spi.SshEndpoint;
import dev.skyward.testkit.hosts.CloudHosts;
import dev.skyward.testkit.hosts.SshHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.ec2.model.Filter;

/**
 * The machines behind moto's instances, from the test kit's {@link CloudHosts}: while an instance is
 * {@code running} at a loopback private address, a real OpenSSH server listens there with its own host
 * key and Unix user, accepting exactly the key pair the instance was launched with (read back with
 * {@code DescribeKeyPairs IncludePublicKey=true}). When the instance leaves {@code running} the host goes
 * (sshd, the user's processes, user and home). On every host {@code shutdown}, {@code poweroff},
 * {@code halt} and {@code sudo} are stand-ins first on the PATH: "shutting down" tells the fake EC2 the
 * instance's OS went down (it then applies the shutdown behaviour); nothing on this machine stops.
 */
final class InstanceHosts implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InstanceHosts.class);

    private final Moto moto;
    private final CloudHosts hosts;
    private final Path logins;
    private final Map<String, SshHost> byInstance = new ConcurrentHashMap<>();
    private final Thread watcher;
    private volatile boolean closed;
    private volatile Throwable failure;

    private InstanceHosts(Moto moto, CloudHosts hosts, Path logins) {
        this.moto = moto;
        this.hosts = hosts;
        this.logins = logins;
        this.watcher = new Thread(this::watch, "instance-hosts");
        this.watcher.setDaemon(true);
    }

    static InstanceHosts start(Moto moto) throws IOException {
        Path logins = Files.createTempFile("skyward-aws-logins-", ".txt");
        InstanceHosts h = new InstanceHosts(moto, CloudHosts.start("aws"), logins);
        h.watcher.start();
        return h;
    }

    /** The login for an instance's address: its host's port and user (waits briefly for the host). */
    SshEndpoint login(String address) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            // Only hosts whose sshd is up (CloudHosts lists a host while it is still starting).
            Optional<SshHost> h = byInstance.values().stream().filter(x -> x.address().equals(address)).findFirst();
            if (h.isPresent()) {
                return new SshEndpoint(address, h.get().port(), h.get().user());
            }
            sleep(50);
        }
        throw new IllegalStateException("no host came up for the instance at " + address);
    }

    List<SshHost> live() {
        return hosts.live();
    }

    /** "address port user" per live host, one a line: how a client in another JVM learns the logins. */
    Path loginsFile() {
        return logins;
    }

    private void watch() {
        while (!closed) {
            try {
                reconcile();
            } catch (Throwable t) {
                if (!closed) {
                    failure = t;
                    log.warn("instance hosts: {}", t.toString());
                }
            }
            sleep(100);
        }
    }

    private synchronized void reconcile() throws IOException {
        Map<String, String[]> running = new HashMap<>();
        moto.ec2().describeInstancesPaginator(b -> b.filters(Filter.builder().name("instance-state-name")
                .values("running").build())).reservations().forEach(r -> r.instances().forEach(i -> {
                    if (i.privateIpAddress() != null && i.privateIpAddress().startsWith("127.") && i.keyName() != null) {
                        running.put(i.instanceId(), new String[] {i.privateIpAddress(), i.keyName()});
                    }
                }));
        boolean changed = false;
        for (String id : List.copyOf(byInstance.keySet())) {
            if (!running.containsKey(id)) {
                SshHost h = byInstance.remove(id);
                hosts.destroy(h);
                log.info("instance {}: host at {} gone", id, h.address());
                changed = true;
            }
        }
        for (var e : running.entrySet()) {
            if (!byInstance.containsKey(e.getKey())) {
                String address = e.getValue()[0];
                String key;
                try {
                    key = moto.ec2().describeKeyPairs(b -> b.keyNames(e.getValue()[1]).includePublicKey(true))
                            .keyPairs().get(0).publicKey().strip();
                } catch (software.amazon.awssdk.services.ec2.model.Ec2Exception gone) {
                    // The pool's terminate deleted the key while moto still listed the instance as
                    // running: the instance is on its way out, and no one can log in to it any more.
                    log.info("instance {}: its key pair is gone ({}); no host", e.getKey(), gone.awsErrorDetails()
                            == null ? gone.getMessage() : gone.awsErrorDetails().errorCode());
                    continue;
                }
                String shutdown = moto.shutdownScript(address);
                SshHost h = hosts.create(address, key, Map.of("shutdown", shutdown, "poweroff", shutdown,
                        "halt", shutdown,
                        // sudo as the instance's user has it, minus any privilege: it runs the stand-ins.
                        "sudo", "#!/bin/bash\n[ \"$1\" = -n ] && shift\nexec \"$@\"\n"));
                byInstance.put(e.getKey(), h);
                log.info("instance {} is a host at {}:{} (user {})", e.getKey(), address, h.port(), h.user());
                changed = true;
            }
        }
        if (changed) {
            StringBuilder b = new StringBuilder();
            hosts.live().forEach(h -> b.append(h.address()).append(' ').append(h.port()).append(' ').append(h.user())
                    .append('\n'));
            Path tmp = Path.of(logins + ".tmp");
            Files.writeString(tmp, b.toString());
            Files.move(tmp, logins, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** What is left of any host ever made (sshd, user, processes), and a failure of the watcher. */
    List<String> leftovers() {
        List<String> left = new ArrayList<>(hosts.leftovers());
        if (failure != null) {
            left.add("host watcher failed: " + failure);
        }
        return left;
    }

    /** Waits until every instance's host is gone (the watcher follows moto's states). */
    List<String> awaitNoHosts(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && !(hosts.live().isEmpty() && leftovers().isEmpty())) {
            sleep(100);
        }
        List<String> left = new ArrayList<>(leftovers());
        hosts.live().forEach(h -> left.add(h + ": host still up"));
        return left;
    }

    @Override
    public synchronized void close() {
        closed = true;
        hosts.close();
        try {
            Files.deleteIfExists(logins);
        } catch (IOException e) {
            log.warn("could not delete {}: {}", logins, e.toString());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
