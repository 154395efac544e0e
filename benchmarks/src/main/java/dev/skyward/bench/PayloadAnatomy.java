package dev.skyward.bench;

import dev.skyward.Task;
import dev.skyward.wire.serial.Serialization;
import java.util.SplittableRandom;
import org.apache.fory.ThreadSafeFory;

/**
 * Diagnostic, not part of the table: how long the in-process steps of a large payload take in this
 * JVM (Fory serialization of a task capturing N MiB, deserialization, and a plain array copy for
 * scale), to tell serialization cost from transport cost when the payload rows miss their target.
 *
 * <pre>PayloadAnatomy [MiB] [reps]</pre>
 */
public final class PayloadAnatomy {

    private PayloadAnatomy() {
    }

    public static void main(String[] args) {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int size = mib << 20;
        byte[] data = new byte[size];
        new SplittableRandom(1).nextBytes(data);
        Task<Integer> task = ctx -> data.length;
        ThreadSafeFory fory = Serialization.forLoader(PayloadAnatomy.class.getClassLoader());
        for (int r = 0; r < reps; r++) {
            Workloads.settle();
            long t0 = System.nanoTime();
            byte[] bytes = fory.serialize(task);
            long t1 = System.nanoTime();
            Object back = fory.deserialize(bytes);
            long t2 = System.nanoTime();
            byte[] copy = data.clone();
            long t3 = System.nanoTime();
            byte[] arr = fory.serialize(copy);
            long t4 = System.nanoTime();
            Object arrBack = fory.deserialize(arr);
            long t5 = System.nanoTime();
            System.out.printf("rep %d: serialize task %.0f MB/s, deserialize task %.0f MB/s, byte[] clone %.0f MB/s, "
                    + "serialize byte[] %.0f MB/s, deserialize byte[] %.0f MB/s (%s, %s)%n", r,
                    mbps(size, t1 - t0), mbps(size, t2 - t1), mbps(size, t3 - t2), mbps(size, t4 - t3), mbps(size, t5 - t4),
                    back.getClass().getSimpleName(), arrBack.getClass().getSimpleName());
        }
    }

    private static double mbps(int size, long ns) {
        return size / (ns / 1e9) / 1e6;
    }
}
