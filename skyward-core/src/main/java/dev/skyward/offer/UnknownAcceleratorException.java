package dev.skyward.offer;

import dev.skyward.PoolConfigurationException;
import java.util.List;

/**
 * An accelerator name no catalog and no built-in table knows; carries the closest known names.
 * Thrown before anything is started.
 */
public class UnknownAcceleratorException extends PoolConfigurationException {

    private static final long serialVersionUID = 1L;

    private final String input;
    private final List<String> suggestions;

    /**
     * @param input the name as written
     * @param suggestions the closest known names, best first (may be empty)
     * @param known every known name, listed when there is nothing close
     */
    public UnknownAcceleratorException(String input, List<String> suggestions, List<String> known) {
        super(suggestions.isEmpty()
                ? "unknown accelerator '" + input + "'; known accelerators: " + String.join(", ", known)
                : "unknown accelerator '" + input + "'; did you mean " + String.join(", ", suggestions) + "?");
        this.input = input;
        this.suggestions = List.copyOf(suggestions);
    }

    /** The name as the user wrote it. */
    public String input() {
        return input;
    }

    /** The closest known names, best first. */
    public List<String> suggestions() {
        return suggestions;
    }
}
