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

    /**
     * Netty's leak detector samples one buffer in 128 with a stack trace. An agent's Netty is its own
     * relocated copy, whose buffers only the agent handles; a client's is gRPC's, which the
     * application's own gRPC calls may share, so it is left alone there.
     */
    static final String LEAK_DETECTION_PROPERTY = "io.grpc.netty.shaded.io.netty.leakDetection.level";

    private NettyTuning() {
    }

    /** In a client: skips Netty's flight-recorder events, unless this JVM was started with the property set. */
    public static void forClient() {
        setUnlessSet(JFR_PROPERTY, "false");
    }

    /** In an agent: as a client, and without Netty's leak detector. */
    public static void forAgent() {
        setUnlessSet(JFR_PROPERTY, "false");
        setUnlessSet(LEAK_DETECTION_PROPERTY, "disabled");
    }

    private static void setUnlessSet(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }
}
