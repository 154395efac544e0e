package dev.skyward.bootstrap;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one probe round trip learned about a node: OS, architecture, home, privileges, package
 * manager, Java runtimes, which cached jars and image markers exist, free disk.
 *
 * @param os {@code uname -s}, e.g. {@code Linux}
 * @param arch {@code uname -m}, e.g. {@code x86_64}
 * @param distro {@code ID VERSION_ID} from /etc/os-release, or empty
 * @param home the login user's home
 * @param root whether the user is root
 * @param sudo whether the user has passwordless sudo
 * @param packageManager {@code apt-get}, {@code dnf}, {@code yum}, ... or empty
 * @param javas Java runtimes found, in search order
 * @param cached content hashes already in the node's cache
 * @param imageReady whether this pool's image was already applied on the node
 * @param freeBytes free bytes where the cache lives, or -1 when unknown
 * @param classArchive whether a class-data-sharing archive of the agent is cached (faster JVM start)
 */
public record NodeFacts(String os, String arch, String distro, String home, boolean root, boolean sudo,
        String packageManager, List<JavaRuntime> javas, Set<String> cached, boolean imageReady, long freeBytes,
        boolean classArchive) {

    /** Copies. */
    public NodeFacts {
        javas = List.copyOf(javas);
        cached = Set.copyOf(cached);
    }

    /** The first runtime of at least the given feature version, or {@code null}. */
    public JavaRuntime java(int minFeature) {
        return javas.stream().filter(j -> j.feature() >= minFeature).findFirst().orElse(null);
    }

    /** Whether packages can be installed (root or passwordless sudo, and a known package manager). */
    public boolean canInstall() {
        return (root || sudo) && !packageManager.isEmpty();
    }

    /**
     * The probe script: prints {@code key=value} lines that {@link #parse} reads.
     *
     * @param javaCandidates shell words naming java executables to try, globs allowed
     * @param hashes content hashes to look for in the cache
     * @param imageKey the image's marker name
     * @return the script
     */
    static String script(List<String> javaCandidates, List<String> hashes, String imageKey) {
        return script(javaCandidates, hashes, imageKey, null);
    }

    /**
     * @param classArchive the agent's CDS archive name in the cache, or {@code null}; archives an
     *     agent left at exit ({@code NAME.*.tmp}) are promoted to {@code NAME} first
     */
    static String script(List<String> javaCandidates, List<String> hashes, String imageKey, String classArchive) {
        return String.join("\n",
                "echo \"os=$(uname -s)\"",
                "echo \"arch=$(uname -m)\"",
                "echo \"home=$HOME\"",
                "if [ -r /etc/os-release ]; then . /etc/os-release; echo \"distro=$ID ${VERSION_ID:-}\"; fi",
                "for p in apt-get dnf yum zypper apk; do if command -v $p >/dev/null 2>&1; then echo \"pkg=$p\"; break; fi; done",
                "if [ \"$(id -u)\" = 0 ]; then echo root=yes; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then echo sudo=yes; fi",
                "for j in " + String.join(" ", javaCandidates) + "; do",
                "  [ -n \"$j\" ] && [ -x \"$j\" ] || continue",
                // The release file answers without starting a JVM (tens of ms saved per candidate).
                "  r=\"$(dirname \"$(dirname \"$(readlink -f \"$j\")\")\")/release\"; v=",
                "  [ -r \"$r\" ] && v=$(sed -n 's/^JAVA_VERSION=\"\\(.*\\)\"/\\1/p' \"$r\")",
                "  [ -n \"$v\" ] || v=$(\"$j\" -version 2>&1 | sed -n '1s/.*version \"\\([^\"]*\\)\".*/\\1/p')",
                "  echo \"java=$v $j\"",
                "done",
                "C=\"$HOME/" + RemoteLayout.CACHE + "\"",
                "for h in " + String.join(" ", hashes) + "; do [ -f \"$C/$h.jar\" ] && echo \"have=$h\"; done",
                "[ -f \"$HOME/" + RemoteLayout.IMAGES + "/" + imageKey + ".done\" ] && echo image=done",
                classArchive == null ? "" : "A=\"$C/" + classArchive + "\"; if [ ! -s \"$A\" ]; then for t in \"$A\".*.tmp; do "
                        + "[ -s \"$t\" ] && mv -f \"$t\" \"$A\" && break; done; fi; [ -s \"$A\" ] && echo jsa=yes",
                "mkdir -p \"$C\" 2>/dev/null; echo \"freekb=$(df -Pk \"$C\" 2>/dev/null | awk 'NR==2{print $4}')\"",
                "exit 0",
                "");
    }

    static NodeFacts parse(String out) {
        String os = "", arch = "", distro = "", home = "", pkg = "";
        boolean root = false, sudo = false, image = false, jsa = false;
        long free = -1;
        List<JavaRuntime> javas = new ArrayList<>();
        Set<String> cached = new HashSet<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String k = line.substring(0, eq);
            String v = line.substring(eq + 1).trim();
            switch (k) {
                case "os" -> os = v;
                case "arch" -> arch = v;
                case "distro" -> distro = v;
                case "home" -> home = v;
                case "pkg" -> pkg = v;
                case "root" -> root = true;
                case "sudo" -> sudo = true;
                case "image" -> image = true;
                case "jsa" -> jsa = true;
                case "have" -> cached.add(v);
                case "freekb" -> free = v.isEmpty() ? -1 : Long.parseLong(v) * 1024;
                case "java" -> {
                    int sp = v.indexOf(' ');
                    if (sp > 0) {
                        javas.add(new JavaRuntime(v.substring(sp + 1), v.substring(0, sp)));
                    }
                }
                default -> {
                }
            }
        }
        return new NodeFacts(os, arch, distro, home, root, sudo, pkg, javas, cached, image, free, jsa);
    }
}
