package dev.skyward.wire;

/**
 * Settings of gRPC's bundled Netty that both ends apply before their first channel or server.
 * Internal: not part of the API.
 */
public final class NettyTuning {

    /**
     * Netty registers JDK Flight Recorder event classes for its buffer allocator when it first
     * allocates, on the event loop of the first call: about 100 ms of a cold start on each end, for
     * events that are off unless a recording asks for them. The name is relocated with Netty (the
     * agent's copy reads its own shaded name), so this literal is right on both ends.
     */
    static final String JFR_PROPERTY = "io.grpc.netty.shaded.io.netty.jfr.enabled";

    private NettyTuning() {
    }

    /** Skips Netty's flight-recorder events, unless this JVM was started with the property set. */
    public static void applyBeforeFirstChannel() {
        if (System.getProperty(JFR_PROPERTY) == null) {
            System.setProperty(JFR_PROPERTY, "false");
        }
    }
}
