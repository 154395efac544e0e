package dev.skyward.pool;

import java.util.Arrays;

/**
 * Puts a task's remote frames at the top of the exception the caller gets. JShell and the Jupyter
 * Java kernels print only the top exception's stack: without this a notebook shows where the client
 * waited, never where the task failed on its node.
 */
final class RemoteTrace {

    private RemoteTrace() {
    }

    /**
     * @param local the exception thrown here, with this thread's frames
     * @param remote the task's exception, with the node's frames
     * @param rank the node
     * @return {@code local}, its stack now the node's frames, a marker frame, then its own
     */
    static <T extends Throwable> T onTop(T local, Throwable remote, int rank) {
        StackTraceElement[] node = remote == null ? new StackTraceElement[0] : remote.getStackTrace();
        if (node.length == 0) {
            return local;
        }
        StackTraceElement[] here = local.getStackTrace();
        StackTraceElement[] all = Arrays.copyOf(node, node.length + 1 + here.length);
        all[node.length] = new StackTraceElement("------ node " + rank + " above, this client below ------", "", null, -1);
        System.arraycopy(here, 0, all, node.length + 1, here.length);
        local.setStackTrace(all);
        return local;
    }
}
