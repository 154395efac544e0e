package dev.skyward.bootstrap;

/**
 * A Java runtime found on a node.
 *
 * @param path the {@code java} executable
 * @param version its version string, e.g. {@code 17.0.15} or {@code 1.8.0_392}
 */
public record JavaRuntime(String path, String version) {

    /** The feature release: 17 for {@code 17.0.15}, 8 for {@code 1.8.0_392}, 0 when unreadable. */
    public int feature() {
        String v = version.startsWith("1.") ? version.substring(2) : version;
        int end = 0;
        while (end < v.length() && Character.isDigit(v.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(v.substring(0, end));
    }

    @Override
    public String toString() {
        return "Java " + version + " at " + path;
    }
}
