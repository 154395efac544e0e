package dev.skyward.bootstrap;

/**
 * What a remote command did.
 *
 * @param exitStatus exit status, or -1 when killed by a signal or the channel closed without one
 * @param stdout standard output
 * @param stderr standard error
 */
public record ExecResult(int exitStatus, String stdout, String stderr) {

    /** Whether it exited 0. */
    public boolean ok() {
        return exitStatus == 0;
    }

    /** The last {@code n} lines of stdout and stderr together, for error messages. */
    public String tail(int n) {
        String all = (stdout + "\n" + stderr).strip();
        String[] lines = all.split("\n");
        int from = Math.max(0, lines.length - n);
        return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }
}
