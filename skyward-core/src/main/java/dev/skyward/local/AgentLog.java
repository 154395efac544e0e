package dev.skyward.local;

import dev.skyward.node.LogTail;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A local agent's log (its stdout and stderr), held open from the start: an agent that exits
 * removes its work directory, log included, and the last lines are what explains its death. An
 * open file stays readable after it is unlinked.
 */
final class AgentLog implements AutoCloseable {

    private static final int TAIL_BYTES = 8192;

    private final FileChannel channel;

    private AgentLog(FileChannel channel) {
        this.channel = channel;
    }

    static AgentLog open(Path file) {
        try {
            return new AgentLog(FileChannel.open(file, StandardOpenOption.READ));
        } catch (IOException e) {
            return new AgentLog(null);
        }
    }

    /** The last lines, at most {@value LogTail#LINES}. */
    synchronized List<String> tail() {
        if (channel == null || !channel.isOpen()) {
            return List.of();
        }
        try {
            long size = channel.size();
            long from = Math.max(0, size - TAIL_BYTES);
            ByteBuffer buf = ByteBuffer.allocate((int) (size - from));
            while (buf.hasRemaining() && channel.read(buf, from + buf.position()) > 0) {
                // read until full
            }
            return LogTail.lines(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8), from > 0);
        } catch (IOException e) {
            return List.of();
        }
    }

    /** {@code "; its log ends with:\n  ..."}, or empty when it wrote nothing. */
    String tailDescription() {
        return LogTail.describe(tail());
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do: it was only read
            }
        }
    }
}
