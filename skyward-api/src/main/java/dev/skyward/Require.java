package dev.skyward;

/** Checks on user input that fail as {@link PoolConfigurationException}, the one family for bad settings. */
final class Require {

    private Require() {
    }

    static <T> T notNull(T value, String what) {
        if (value == null) {
            throw new PoolConfigurationException(what + " must not be null");
        }
        return value;
    }
}
