package dev.skyward;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a node needs installed before tasks run: system packages, Python packages (in a virtualenv),
 * environment variables and setup commands. Immutable; build it with {@link #builder()}.
 *
 * <pre>{@code
 * Image image = Image.builder()
 *         .apt("git", "python3-venv")
 *         .pip("torch==2.5.1", "numpy")
 *         .env("HF_HOME", "/data/hf")
 *         .setup("nvidia-smi")
 *         .build();
 * }</pre>
 *
 * <p>The local provider runs on this machine and applies only {@link #env()}; remote nodes apply
 * everything, in the order: apt, pip, env, setup.
 */
public final class Image implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Nothing to install. */
    public static final Image DEFAULT = builder().build();

    private final List<String> apt;
    private final List<String> pip;
    private final Map<String, String> env;
    private final List<String> setup;

    private Image(Builder b) {
        this.apt = List.copyOf(b.apt);
        this.pip = List.copyOf(b.pip);
        this.env = Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
        this.setup = List.copyOf(b.setup);
    }

    /** A new, empty builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Debian/Ubuntu packages to install with apt-get. */
    public List<String> apt() {
        return apt;
    }

    /** Python requirement specifiers to install into the node's virtualenv. */
    public List<String> pip() {
        return pip;
    }

    /** Environment variables for the agent and every process a task starts. */
    public Map<String, String> env() {
        return env;
    }

    /** Shell commands run once, in order, after packages are installed. */
    public List<String> setup() {
        return setup;
    }

    /** A builder that starts from this image. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.apt.addAll(apt);
        b.pip.addAll(pip);
        b.env.putAll(env);
        b.setup.addAll(setup);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Image i && i.apt.equals(apt) && i.pip.equals(pip) && i.env.equals(env)
                && i.setup.equals(setup);
    }

    @Override
    public int hashCode() {
        return Objects.hash(apt, pip, env, setup);
    }

    @Override
    public String toString() {
        return "Image{apt=" + apt + ", pip=" + pip + ", env=" + env.keySet() + ", setup=" + setup.size() + " commands}";
    }

    /** Builds an {@link Image}. */
    public static final class Builder {
        private final List<String> apt = new ArrayList<>();
        private final List<String> pip = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<String> setup = new ArrayList<>();

        private Builder() {
        }

        /** Adds apt packages. */
        public Builder apt(String... packages) {
            for (String p : packages) {
                apt.add(nonBlank(p, "apt package"));
            }
            return this;
        }

        /** Adds pip requirement specifiers, e.g. {@code "torch==2.5.1"}. */
        public Builder pip(String... requirements) {
            for (String r : requirements) {
                pip.add(nonBlank(r, "pip requirement"));
            }
            return this;
        }

        /** Sets an environment variable. */
        public Builder env(String name, String value) {
            nonBlank(name, "environment variable name");
            if (name.contains("=")) {
                throw new PoolConfigurationException("environment variable name '" + name + "' contains '='");
            }
            env.put(name, Require.notNull(value, "value of " + name));
            return this;
        }

        /** Adds a shell command to run once on every node. */
        public Builder setup(String command) {
            setup.add(nonBlank(command, "setup command"));
            return this;
        }

        /** The image. */
        public Image build() {
            return new Image(this);
        }

        private static String nonBlank(String s, String what) {
            if (s == null || s.isBlank()) {
                throw new PoolConfigurationException(what + " must not be blank");
            }
            return s.trim();
        }
    }
}
