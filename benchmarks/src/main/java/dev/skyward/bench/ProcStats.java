package dev.skyward.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What one call costs beyond its time, from Linux's {@code /proc} around a measured loop: context
 * switches (each one a thread that went to sleep or was pushed off a core: the hand-offs of a call)
 * and CPU time, for this JVM and for its child processes (the agents, the peer's members) apart, and
 * the bytes this JVM allocated (all its threads). Threads are grouped by their name with digits
 * removed ({@code grpc-default-executor-3} → {@code grpc-default-executor-#}); Linux keeps the first
 * 15 characters of a name. Elsewhere than Linux only the allocation is recorded.
 *
 * <pre>{@code
 * ProcStats before = ProcStats.take();
 * ... n calls ...
 * ProcStats.take().since(before).record(out, "rt", n);
 * }</pre>
 */
final class ProcStats {

    /** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ, 100 on Linux). */
    private static final double TICKS = 100.0;

    private final Map<String, long[]> switchesBySide = new HashMap<>();
    private final Map<String, Long> cpuTicksBySide = new HashMap<>();
    private final Map<String, Long> switchesByThread = new TreeMap<>();
    /** Bytes allocated before and after reading /proc: the reading itself is not billed to the calls. */
    private long allocatedBefore;
    private long allocatedAfter;

    private ProcStats() {
    }

    static ProcStats take() {
        ProcStats s = new ProcStats();
        s.allocatedBefore = allocatedBytes();
        long self = ProcessHandle.current().pid();
        s.read(self, "client");
        List<Long> children = ProcessHandle.current().descendants().map(ProcessHandle::pid).toList();
        for (long pid : children) {
            s.read(pid, "nodes");
        }
        s.allocatedAfter = allocatedBytes();
        return s;
    }

    private void read(long pid, String side) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            String stat = Files.readString(proc.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            cpuTicksBySide.merge(side, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
            try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
                for (Path t : tasks.toList()) {
                    try {
                        String name = Files.readString(t.resolve("comm")).trim().replaceAll("[0-9]+", "#");
                        long vol = 0;
                        long invol = 0;
                        for (String line : Files.readAllLines(t.resolve("status"))) {
                            if (line.startsWith("voluntary_ctxt_switches:")) {
                                vol = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                            } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                                invol = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                            }
                        }
                        long[] sw = switchesBySide.computeIfAbsent(side, k -> new long[2]);
                        sw[0] += vol;
                        sw[1] += invol;
                        switchesByThread.merge(side + ":" + name, vol, Long::sum);
                    } catch (IOException | RuntimeException e) {
                        // the thread ended meanwhile
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process ended meanwhile
        }
    }

    /** This snapshot minus an earlier one. */
    ProcStats since(ProcStats before) {
        ProcStats d = new ProcStats();
        d.allocatedAfter = allocatedBefore - before.allocatedAfter;
        switchesBySide.forEach((k, v) -> {
            long[] b = before.switchesBySide.getOrDefault(k, new long[2]);
            d.switchesBySide.put(k, new long[] {v[0] - b[0], v[1] - b[1]});
        });
        cpuTicksBySide.forEach((k, v) -> d.cpuTicksBySide.put(k, v - before.cpuTicksBySide.getOrDefault(k, 0L)));
        switchesByThread.forEach((k, v) -> d.switchesByThread.put(k, v - before.switchesByThread.getOrDefault(k, 0L)));
        return d;
    }

    /**
     * Records, per call: {@code PREFIX.client.alloc_bytes}, {@code PREFIX.SIDE.ctxsw} (voluntary,
     * i.e. a thread parked or blocked), {@code PREFIX.SIDE.ctxsw_forced} (pre-empted),
     * {@code PREFIX.SIDE.cpu_us}, and {@code PREFIX.ctxsw_by_thread} (the thread groups with at
     * least 0.05 voluntary switches per call).
     */
    void record(Results out, String prefix, long calls) {
        out.put(prefix + ".client.alloc_bytes", Stats.fmt((double) allocatedAfter / calls));
        switchesBySide.forEach((side, v) -> {
            out.put(prefix + "." + side + ".ctxsw", per(v[0], calls));
            out.put(prefix + "." + side + ".ctxsw_forced", per(v[1], calls));
        });
        cpuTicksBySide.forEach((side, v) -> out.put(prefix + "." + side + ".cpu_us", Stats.fmt(v / TICKS * 1e6 / calls)));
        String threads = switchesByThread.entrySet().stream().filter(e -> (double) e.getValue() / calls >= 0.05)
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .map(e -> e.getKey() + " " + per(e.getValue(), calls)).collect(Collectors.joining("; "));
        if (!threads.isEmpty()) {
            out.put(prefix + ".ctxsw_by_thread", threads);
        }
    }

    private static String per(long n, long calls) {
        return String.format(Locale.ROOT, "%.2f", (double) n / calls);
    }

    private static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported()) {
            long[] ids = t.getAllThreadIds();
            long sum = 0;
            for (long b : t.getThreadAllocatedBytes(ids)) {
                sum += Math.max(0, b);
            }
            return sum;
        }
        return 0;
    }
}
