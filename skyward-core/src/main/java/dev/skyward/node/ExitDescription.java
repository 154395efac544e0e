package dev.skyward.node;

/**
 * An agent process's exit status in words: a code, or the signal that ended it. Launchers use it to
 * say how a node's agent ended.
 *
 * <pre>{@code
 * ExitDescription.of(137)   // "the agent was killed by signal 9 (SIGKILL), e.g. by ..."
 * }</pre>
 */
public final class ExitDescription {

    private static final String[] SIGNALS = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM"};

    private ExitDescription() {
    }

    /**
     * @param status the exit value Java reports (128 + N when signal N ended the process)
     * @return e.g. "the agent exited with code 3" or "the agent was killed by signal 9 (SIGKILL)"
     */
    public static String of(int status) {
        if (status > 128 && status < 128 + 65) {
            int signal = status - 128;
            String name = signal < SIGNALS.length ? " (" + SIGNALS[signal] + ")" : "";
            String hint = signal == 9 ? ", e.g. by the kernel's out-of-memory killer or kill -9" : "";
            return "the agent was killed by signal " + signal + name + hint;
        }
        return "the agent exited with code " + status;
    }
}
