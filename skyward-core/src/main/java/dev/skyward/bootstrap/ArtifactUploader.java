package dev.skyward.bootstrap;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Puts jars into a node's content cache ({@code ~/.skyward/cache/<sha256>.jar}), sending only those
 * the probe did not find there. Each file streams into a temporary name, is checked against its
 * hash on the node, then renamed, so a cut connection never leaves a truncated jar under a valid name.
 */
final class ArtifactUploader {

    /** Room left after the upload, so the agent and tasks can still write. */
    private static final long DISK_MARGIN = 64L << 20;
    private static final String MISMATCH = "checksum mismatch or write failure";

    private ArtifactUploader() {
    }

    /** What an upload did. */
    record Result(long bytesSent, int filesSent, int filesCached) {
    }

    static Result upload(SshSession s, NodeFacts facts, List<Artifact> artifacts, Duration timeout,
            Consumer<String> progress) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Artifact> missing = artifacts.stream().filter(a -> !facts.cached().contains(a.sha256())).distinct().toList();
        long needed = missing.stream().mapToLong(Artifact::size).sum();
        if (facts.freeBytes() >= 0 && facts.freeBytes() < needed + DISK_MARGIN) {
            throw diskFull(s, needed, facts.freeBytes(), null);
        }
        long sent = 0;
        for (Artifact a : missing) {
            progress.accept("sending " + a.path().getFileName() + " (" + mib(a.size()) + ")");
            String h = a.sha256();
            String cmd = "C=\"$HOME/" + RemoteLayout.CACHE + "\"; mkdir -p \"$C\" && T=\"$C/." + h + ".$$.tmp\" && "
                    + "{ cat > \"$T\" && printf '%s  %s\\n' " + h + " \"$T\" | sha256sum -c --status "
                    + "|| { echo \"" + MISMATCH + " (received $(wc -c < \"$T\" 2>/dev/null || echo no) bytes of "
                    + a.size() + ")\" >&2; rm -f \"$T\"; exit 1; }; } "
                    + "&& mv -f \"$T\" \"$C/" + a.cacheName() + "\" || { rm -f \"$T\"; exit 1; }";
            ExecResult r = send(s, cmd, a, deadline);
            // A stream cut short under load arrives as a bad checksum; the temporary file is gone, so resend,
            // a little later each time (twice: a host that keeps failing is not one to wait for).
            for (int retry = 1; retry <= 2 && !r.ok() && r.stderr().contains(MISMATCH)
                    && System.nanoTime() < deadline; retry++) {
                progress.accept("resending " + a.path().getFileName() + " (" + r.tail(3).strip() + ")");
                try {
                    Thread.sleep(250L * retry);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BootstrapException(BootstrapPhase.UPLOAD, s.target().toString(), "interrupted while "
                            + "uploading " + a.path(), e);
                }
                r = send(s, cmd, a, deadline);
            }
            if (!r.ok()) {
                String err = r.stderr().toLowerCase(Locale.ROOT);
                if (err.contains("no space left") || err.contains("disk quota")) {
                    throw diskFull(s, needed, -1, r.stderr().strip());
                }
                throw new BootstrapException(BootstrapPhase.UPLOAD, s.target().toString(), "uploading " + a.path()
                        + " failed (exit " + r.exitStatus() + "): " + r.tail(10), null);
            }
            sent += a.size();
        }
        return new Result(sent, missing.size(), artifacts.size() - missing.size());
    }

    private static ExecResult send(SshSession s, String cmd, Artifact a, long deadline) throws BootstrapException {
        try {
            return s.execWithInput(cmd, a.path(), Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        } catch (IOException e) {
            throw new BootstrapException(BootstrapPhase.UPLOAD, s.target().toString(), "uploading " + a.path()
                    + " failed: " + e.getMessage(), e);
        }
    }

    private static BootstrapException diskFull(SshSession s, long needed, long free, String detail) {
        return new BootstrapException(BootstrapPhase.UPLOAD, s.target().toString(), "disk full: the upload needs "
                + mib(needed) + (free >= 0 ? " plus " + mib(DISK_MARGIN) + " headroom but only " + mib(free)
                + " are free" : "") + " in ~" + s.target().user() + "/" + RemoteLayout.CACHE
                + (detail != null ? " (" + detail + ")" : "") + ". Free space on the host (old jars in ~/"
                + RemoteLayout.CACHE + " may be deleted safely) and try again", null);
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
