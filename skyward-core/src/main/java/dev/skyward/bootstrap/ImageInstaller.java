package dev.skyward.bootstrap;

import dev.skyward.Image;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Applies an {@link Image} on a node, once per node and image: apt packages, a virtualenv with the
 * pip packages (with system site packages, so a preinstalled CUDA torch stays usable), then the setup
 * commands with the image's env. The remote script reports each step as a JSON line on stdout, which
 * the client reads as it arrives; command output goes to a log on the node, whose last lines the
 * error carries when a step fails. A marker file makes the next pool with the same image skip it all.
 */
final class ImageInstaller {

    private static final Pattern EVENT = Pattern.compile(
            "\\{\"step\":\"(\\w+)\",\"index\":(\\d+),\"status\":\"(\\w+)\",\"exit\":(\\d+)}");

    private ImageInstaller() {
    }

    /** Whether the image needs anything done on a node. */
    static boolean needsWork(Image image) {
        return !image.apt().isEmpty() || !image.pip().isEmpty() || !image.setup().isEmpty();
    }

    /** Marker name of an image: a hash of what is installed, so any change re-applies it. */
    static String key(Image image) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(("apt" + image.apt() + "pip" + image.pip() + "env" + image.env() + "setup" + image.setup())
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void apply(SshSession s, NodeFacts facts, Image image, Duration timeout, Consumer<String> progress)
            throws IOException {
        if (!image.apt().isEmpty() && !facts.canInstall()) {
            throw new BootstrapException(BootstrapPhase.IMAGE, s.target().toString(), "the image needs apt packages "
                    + image.apt() + " but user '" + s.target().user() + "' is not root and has no passwordless sudo"
                    + (facts.packageManager().equals("apt-get") ? "" : " (and there is no apt-get)")
                    + ": install them on the host yourself and drop them from Image.apt(...)", null);
        }
        String key = key(image);
        List<String> failure = new ArrayList<>();
        ExecResult r = s.execStreaming(script(image, key), timeout, line -> {
            Matcher m = EVENT.matcher(line.trim());
            if (!m.matches()) {
                return;
            }
            String step = m.group(1);
            int index = Integer.parseInt(m.group(2));
            String status = m.group(3);
            progress.accept(step + " " + describe(image, step, index) + ": " + status);
            if (status.equals("failed")) {
                failure.add(step + " " + describe(image, step, index) + " failed with exit " + m.group(4));
            }
        });
        if (r.ok()) {
            return;
        }
        String logTail = s.exec("tail -n 20 \"$HOME/" + RemoteLayout.IMAGES + "/" + key + ".log\"",
                Duration.ofSeconds(15)).stdout().strip();
        String what = failure.isEmpty() ? "the image script failed with exit " + r.exitStatus() : failure.get(0);
        throw new BootstrapException(BootstrapPhase.IMAGE, s.target().toString(), what + ". Last output lines:\n"
                + (logTail.isEmpty() ? r.tail(20) : logTail)
                + "\nFix the command or package in the pool's Image and try again", null);
    }

    private static String describe(Image image, String step, int index) {
        return switch (step) {
            case "apt" -> String.join(" ", image.apt());
            case "pip" -> String.join(" ", image.pip());
            case "setup" -> index < image.setup().size() ? "'" + image.setup().get(index) + "'" : "";
            default -> "";
        };
    }

    static String script(Image image, String key) {
        StringBuilder sb = new StringBuilder();
        sb.append("I=\"$HOME/").append(RemoteLayout.IMAGES).append("\"; mkdir -p \"$I\"\n");
        sb.append("LOG=\"$I/").append(key).append(".log\"; : > \"$LOG\"\n");
        sb.append("SUDO=; [ \"$(id -u)\" = 0 ] || SUDO='sudo -n'\n");
        // Step names and indexes only: user text never has to be escaped into JSON.
        sb.append("ev() { printf '{\"step\":\"%s\",\"index\":%s,\"status\":\"%s\",\"exit\":%s}\\n' \"$1\" \"$2\" \"$3\" \"$4\"; }\n");
        sb.append("step() { s=$1; i=$2; shift 2; ev \"$s\" \"$i\" start 0; echo \"== $s $i\" >> \"$LOG\"; "
                + "\"$@\" >> \"$LOG\" 2>&1 < /dev/null; rc=$?; if [ $rc -ne 0 ]; then ev \"$s\" \"$i\" failed $rc; exit 10; fi; "
                + "ev \"$s\" \"$i\" done 0; }\n");
        for (Map.Entry<String, String> e : image.env().entrySet()) {
            sb.append("export ").append(Shell.envName(e.getKey())).append('=').append(Shell.quote(e.getValue())).append('\n');
        }
        if (!image.apt().isEmpty()) {
            sb.append("step apt 0 sh -c ").append(Shell.quote("export DEBIAN_FRONTEND=noninteractive; $SUDO apt-get update -q && "
                    + "$SUDO apt-get install -y -q " + Shell.join(image.apt()))).append('\n');
        }
        if (!image.pip().isEmpty()) {
            sb.append("V=\"$HOME/").append(RemoteLayout.VENV).append("\"\n");
            sb.append("[ -x \"$V/bin/pip\" ] || step venv 0 python3 -m venv --system-site-packages \"$V\"\n");
            sb.append("step pip 0 \"$V/bin/pip\" install -q ").append(Shell.join(image.pip())).append('\n');
            sb.append("export VIRTUAL_ENV=\"$V\" PATH=\"$V/bin:$PATH\"\n");
        }
        for (int i = 0; i < image.setup().size(); i++) {
            sb.append("step setup ").append(i).append(" bash -c ").append(Shell.quote(image.setup().get(i))).append('\n');
        }
        sb.append("touch \"$I/").append(key).append(".done\"\n");
        return sb.toString();
    }
}
