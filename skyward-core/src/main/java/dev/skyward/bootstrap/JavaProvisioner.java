package dev.skyward.bootstrap;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Makes sure a node has a Java 17+ runtime: uses the first one found, else installs the
 * distribution's headless JRE with its package manager (as root or with passwordless sudo), else
 * fails saying what was found and how to fix it.
 */
final class JavaProvisioner {

    static final int MIN_FEATURE = 17;

    private JavaProvisioner() {
    }

    static JavaRuntime ensure(SshSession s, NodeFacts facts, List<String> candidates, Duration timeout,
            Consumer<String> progress) throws IOException {
        JavaRuntime found = facts.java(MIN_FEATURE);
        if (found != null) {
            progress.accept("using " + found);
            return found;
        }
        String seen = facts.javas().isEmpty() ? "no Java at all" : "only " + facts.javas();
        if (!facts.canInstall()) {
            String why = facts.packageManager().isEmpty() ? "no supported package manager (apt-get, dnf, yum) was found"
                    : "user '" + s.target().user() + "' is not root and has no passwordless sudo";
            throw new BootstrapException(BootstrapPhase.JAVA, s.target().toString(), "no Java " + MIN_FEATURE
                    + "+ runtime on the host (" + seen + ") and none can be installed: " + why + ". Install Java "
                    + MIN_FEATURE + " or newer there (e.g. sudo apt-get install -y openjdk-17-jre-headless), or give "
                    + "the user passwordless sudo so Skyward can install it", null);
        }
        progress.accept("no Java " + MIN_FEATURE + "+ (" + seen + "); installing with " + facts.packageManager());
        ExecResult r = s.exec(installScript(facts), timeout);
        if (!r.ok()) {
            throw new BootstrapException(BootstrapPhase.JAVA, s.target().toString(), "no Java " + MIN_FEATURE
                    + "+ runtime on the host (" + seen + ") and installing one with " + facts.packageManager()
                    + " failed (exit " + r.exitStatus() + "); last output:\n" + r.tail(15)
                    + "\nInstall Java " + MIN_FEATURE + " or newer on the host yourself", null);
        }
        NodeFacts again = NodeFacts.parse(s.exec(NodeFacts.script(candidates, List.of(), "none"),
                Duration.ofSeconds(30)).stdout());
        JavaRuntime installed = again.java(MIN_FEATURE);
        if (installed == null) {
            throw new BootstrapException(BootstrapPhase.JAVA, s.target().toString(), "installed a Java runtime with "
                    + facts.packageManager() + " but still found no Java " + MIN_FEATURE + "+ (" + again.javas()
                    + "); install one yourself and make sure 'java' is on the user's PATH", null);
        }
        progress.accept("installed " + installed);
        return installed;
    }

    private static String installScript(NodeFacts facts) {
        String sudo = facts.root() ? "" : "sudo -n ";
        return switch (facts.packageManager()) {
            case "apt-get" -> "set -e\nexport DEBIAN_FRONTEND=noninteractive\n" + sudo + "apt-get update -q\n"
                    + sudo + "apt-get install -y -q openjdk-17-jre-headless || " + sudo
                    + "apt-get install -y -q openjdk-21-jre-headless\n";
            case "dnf", "yum" -> "set -e\n" + sudo + facts.packageManager()
                    + " install -y java-17-openjdk-headless || " + sudo + facts.packageManager()
                    + " install -y java-21-openjdk-headless\n";
            case "zypper" -> "set -e\n" + sudo + "zypper --non-interactive install java-17-openjdk-headless\n";
            case "apk" -> "set -e\n" + sudo + "apk add --no-cache openjdk17-jre-headless\n";
            default -> "exit 1\n";
        };
    }
}
