package dev.skyward.ssh;

import dev.skyward.Accelerator;
import dev.skyward.bootstrap.ExecResult;
import dev.skyward.bootstrap.SshConnector;
import dev.skyward.bootstrap.SshSession;
import dev.skyward.bootstrap.SshTarget;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What checking one host found: whether it can be logged in to, and its GPUs, CPUs, memory and
 * architecture.
 *
 * @param host the host
 * @param error why it cannot be used, or {@code null}
 * @param gpus GPU model names as {@code nvidia-smi} reports them, one per device
 * @param gpuMemoryMiB memory of the first GPU
 * @param vcpus CPUs
 * @param memoryGiB memory
 * @param arch {@code uname -m}
 */
record HostProbe(SshHostConfig host, String error, List<String> gpus, long gpuMemoryMiB, int vcpus, double memoryGiB,
        String arch) {

    private static final String SCRIPT = String.join("\n",
            "if command -v nvidia-smi >/dev/null 2>&1; then",
            "  nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits 2>/dev/null | sed 's/^/gpu=/'",
            "fi",
            "echo \"cpus=$(nproc 2>/dev/null || echo 1)\"",
            "echo \"memkb=$(awk '/^MemTotal:/{print $2}' /proc/meminfo 2>/dev/null)\"",
            "echo \"arch=$(uname -m)\"",
            "");

    boolean ok() {
        return error == null;
    }

    /** The host's accelerator: {@code A100:2} for two A100s, {@link Accelerator#NONE} without GPUs. */
    Accelerator accelerator() {
        if (gpus.isEmpty()) {
            return Accelerator.NONE;
        }
        return Accelerator.of(model(gpus.get(0)), gpus.size(), (int) Math.round(gpuMemoryMiB / 1024.0));
    }

    /** What the host has, for messages. */
    String describe() {
        if (!ok()) {
            return host + ": unusable (" + error + ")";
        }
        return host + ": " + (gpus.isEmpty() ? "no GPU (nvidia-smi not found or no devices)"
                : gpus.size() + "x " + gpus.get(0) + " (" + accelerator() + ")");
    }

    /**
     * Whether the host satisfies a wanted accelerator: same model (as {@link #model} normalizes it),
     * at least the count, and at least the memory when the wanted name says one ({@code A100-80GB}).
     */
    boolean has(Accelerator want) {
        if (!want.isPresent()) {
            return true;
        }
        Accelerator have = accelerator();
        if (!have.isPresent() || have.count() < want.count()) {
            return false;
        }
        String wantName = want.name().toUpperCase(Locale.ROOT);
        int dash = wantName.indexOf('-');
        String wantModel = dash > 0 ? wantName.substring(0, dash) : wantName;
        if (!wantModel.equals(have.name())) {
            return false;
        }
        if (dash > 0 && wantName.endsWith("GB")) {
            try {
                int gb = Integer.parseInt(wantName.substring(dash + 1, wantName.length() - 2));
                return have.memoryGiB() + 1 >= gb;
            } catch (NumberFormatException e) {
                return true;
            }
        }
        return true;
    }

    /** {@code NVIDIA A100-SXM4-40GB} → {@code A100}; {@code Tesla T4} → {@code T4}. */
    static String model(String nvidiaName) {
        String n = nvidiaName.trim().toUpperCase(Locale.ROOT);
        for (String prefix : List.of("NVIDIA ", "TESLA ", "GEFORCE ", "QUADRO ")) {
            if (n.startsWith(prefix)) {
                n = n.substring(prefix.length());
            }
        }
        n = n.replace("RTX ", "RTX");
        int cut = n.length();
        for (char c : new char[] {'-', ' '}) {
            int i = n.indexOf(c);
            if (i > 0 && i < cut) {
                cut = i;
            }
        }
        return n.substring(0, cut);
    }

    static HostProbe run(SshHostConfig host, SshTarget target, Duration timeout) {
        try (SshSession s = SshConnector.connect(target, timeout, timeout)) {
            ExecResult r = s.exec(SCRIPT, timeout);
            List<String> gpus = new ArrayList<>();
            long gpuMem = 0;
            int cpus = 1;
            double memGiB = 0;
            String arch = "";
            for (String line : r.stdout().split("\n")) {
                if (line.startsWith("gpu=")) {
                    String[] f = line.substring(4).split(",");
                    gpus.add(f[0].trim());
                    if (gpuMem == 0 && f.length > 1) {
                        gpuMem = parseLong(f[1].trim());
                    }
                } else if (line.startsWith("cpus=")) {
                    cpus = (int) Math.max(1, parseLong(line.substring(5)));
                } else if (line.startsWith("memkb=")) {
                    memGiB = parseLong(line.substring(6)) / 1048576.0;
                } else if (line.startsWith("arch=")) {
                    arch = line.substring(5).trim();
                }
            }
            return new HostProbe(host, null, List.copyOf(gpus), gpuMem, cpus, memGiB, arch);
        } catch (IOException e) {
            return new HostProbe(host, e.getMessage(), List.of(), 0, 0, 0, "");
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
