package dev.skyward.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's 1-minute load average, sampled when a row starts, so every row of the table can be
 * read against how busy the machine was (on 2 cores a load of 6 means each runnable thread got a
 * third of a core on average).
 */
final class Load {

    private static final Path PROC = Path.of("/proc/loadavg");

    private Load() {
    }

    /** The 1-minute load average: from {@code /proc/loadavg} on Linux, from the JVM elsewhere; -1 if unknown. */
    static double oneMinute() {
        try {
            if (Files.isReadable(PROC)) {
                return Double.parseDouble(Files.readString(PROC).trim().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException e) {
            // fall through to the JVM's figure
        }
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** Records {@code load.NAME} (two decimals) in {@code out}. */
    static void record(Results out, String name) {
        out.put("load." + name, String.format(java.util.Locale.ROOT, "%.2f", oneMinute()));
    }
}
