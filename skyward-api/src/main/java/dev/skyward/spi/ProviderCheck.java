package dev.skyward.spi;

/**
 * Whether a provider's credentials are usable.
 *
 * @param provider provider name
 * @param ok whether calls can be made
 * @param source where the credentials came from (an env variable, a file), or empty
 * @param message when not ok: exactly what is missing and what to set
 */
public record ProviderCheck(String provider, boolean ok, String source, String message) {

    /**
     * @param provider provider name
     * @param source where the credentials came from
     * @return a passing check
     */
    public static ProviderCheck ok(String provider, String source) {
        return new ProviderCheck(provider, true, source, "");
    }

    /**
     * @param provider provider name
     * @param message what is missing and what to set
     * @return a failing check
     */
    public static ProviderCheck missing(String provider, String message) {
        return new ProviderCheck(provider, false, "", message);
    }
}
