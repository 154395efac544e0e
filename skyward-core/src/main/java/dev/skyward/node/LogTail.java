package dev.skyward.node;

import java.util.Arrays;
import java.util.List;

/**
 * The last lines of an agent's log, and how an error quotes them: what explains an agent's death.
 *
 * <pre>{@code
 * String why = ExitDescription.of(3) + LogTail.describe(LogTail.lines(text, cut));
 * }</pre>
 */
public final class LogTail {

    /** Lines an error quotes at most. */
    public static final int LINES = 12;

    private LogTail() {
    }

    /**
     * @param text the end of a log
     * @param cut whether {@code text} starts inside the log (its first line may be partial, and is dropped)
     * @return its last non-blank lines, at most {@value #LINES}
     */
    public static List<String> lines(String text, boolean cut) {
        List<String> lines = Arrays.stream(text.split("\r?\n")).filter(l -> !l.isBlank()).toList();
        if (cut && !lines.isEmpty()) {
            lines = lines.subList(1, lines.size());
        }
        return lines.subList(Math.max(0, lines.size() - LINES), lines.size());
    }

    /**
     * @param lines the log's last lines
     * @return {@code "; its log ends with:\n    ..."}, or {@code "; it wrote nothing to its log"}
     */
    public static String describe(List<String> lines) {
        return lines.isEmpty() ? "; it wrote nothing to its log"
                : "; its log ends with:\n    " + String.join("\n    ", lines);
    }
}
