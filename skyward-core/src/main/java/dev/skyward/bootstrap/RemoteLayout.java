package dev.skyward.bootstrap;

/**
 * Where things go on a node, relative to the login user's home. Only the content cache and the
 * image markers (and the virtualenv) outlive a pool, so a second pool starts warm; a pool's run
 * directory is removed when its agent stops.
 */
final class RemoteLayout {

    /** Content-addressed jars, {@code <sha256>.jar}; kept across pools. */
    static final String CACHE = ".skyward/cache";
    /** {@code <imagehash>.done} markers and install logs. */
    static final String IMAGES = ".skyward/images";
    /** Virtualenv for the image's pip packages. */
    static final String VENV = ".skyward/venv";
    /** Per-agent run directories, {@code <pool>-r<rank>}; removed on close. */
    static final String RUN = ".skyward/run";

    private RemoteLayout() {
    }

    static String runDir(String home, String poolId, int rank) {
        return home + "/" + RUN + "/" + poolId + "-r" + rank;
    }
}
