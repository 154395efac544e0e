package dev.skyward.verda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyward.testkit.hosts.CloudHosts;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Asserts no host of a farm left anything, waiting briefly for killed processes to go. */
final class HostsLeft {

    private static final Logger log = LoggerFactory.getLogger(HostsLeft.class);

    private HostsLeft() {
    }

    static void assertNone(CloudHosts hosts) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<String> left = hosts.leftovers();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            sleep();
            left = hosts.leftovers();
        }
        if (!left.isEmpty()) {
            try {
                log.warn("host leftovers {}; processes:\n{}", left, new String(new ProcessBuilder("ps", "-eo",
                        "pid,ppid,uid,user,etime,cmd").start().getInputStream().readAllBytes()));
            } catch (IOException e) {
                log.warn("cannot list processes", e);
            }
        }
        assertThat(left).as("host leftovers").isEmpty();
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
