package dev.skyward.digitalocean;

import java.util.Locale;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a pool's droplets, tags and key are named, within DigitalOcean's rules: tags match
 * {@code ^[a-zA-Z0-9_\-:]+$} (255 chars), droplet names {@code [a-zA-Z0-9.-]} starting and ending with
 * a letter or digit (255 chars). The launch index is the droplet name's last {@code -N}.
 */
final class DropletNaming {

    /** Every droplet this library makes carries it, so {@code skyward down} can find them all. */
    static final String LIBRARY_TAG = "skyward";
    private static final Pattern INDEX = Pattern.compile("-(\\d+)$");

    private DropletNaming() {
    }

    /** The tag that marks the pool's droplets. */
    static String poolTag(String poolId) {
        return tag("skyward-pool:" + poolId);
    }

    /** A tag made from any text: characters outside DigitalOcean's set become {@code _}. */
    static String tag(String text) {
        String t = text.replaceAll("[^a-zA-Z0-9_:\\-]", "_");
        return t.length() > 255 ? t.substring(0, 255) : t;
    }

    /** The name of the pool's droplet at this launch index. */
    static String dropletName(String poolId, int index) {
        String base = poolId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.\\-]", "-").replaceAll("^[.\\-]+", "");
        String suffix = "-" + index;
        if (base.length() + suffix.length() > 255) {
            base = base.substring(0, 255 - suffix.length());
        }
        return (base.isEmpty() ? "skyward" : base) + suffix;
    }

    /** The launch index in a droplet's name, if it has one. */
    static OptionalInt index(String dropletName) {
        Matcher m = INDEX.matcher(dropletName);
        return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }

    /** The name of the pool's SSH key on the account. */
    static String keyName(String poolId) {
        return "skyward-" + poolId;
    }
}
