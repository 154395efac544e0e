package dev.skyward.bootstrap;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** POSIX shell quoting for the scripts the bootstrap sends to nodes. */
final class Shell {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private Shell() {
    }

    /** One word, single-quoted unless it needs no quoting. */
    static String quote(String s) {
        if (!s.isEmpty() && SAFE.matcher(s).matches()) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Words joined by spaces, each quoted. */
    static String join(List<String> words) {
        return words.stream().map(Shell::quote).collect(Collectors.joining(" "));
    }

    /** Checks an environment variable name, since it goes into a script unquoted. */
    static String envName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("environment variable name '" + name
                    + "' cannot be exported by a POSIX shell; use letters, digits and '_' only");
        }
        return name;
    }
}
