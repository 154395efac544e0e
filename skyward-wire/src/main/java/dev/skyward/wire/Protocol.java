package dev.skyward.wire;

import io.grpc.Metadata;

/** Constants both ends of the agent protocol agree on. */
public final class Protocol {

    /** Bumped on any incompatible change to agent.proto or the payload format. */
    public static final int VERSION = 4;

    /** Metadata header carrying the pool's token on every call. */
    public static final Metadata.Key<String> TOKEN_HEADER =
            Metadata.Key.of("skyward-token", Metadata.ASCII_STRING_MARSHALLER);

    /** Environment variable the agent reads its token from (never a command-line argument). */
    public static final String TOKEN_ENV = "SKYWARD_TOKEN";

    /** Size of one chunk of a large payload. */
    public static final int CHUNK_SIZE = 1 << 20;

    /** Payloads up to this size travel inside their Execute or Result frame. */
    public static final int INLINE_LIMIT = CHUNK_SIZE;

    /**
     * How much a stream may hold in the transport before it reports "not ready": several chunks, so a
     * large payload keeps the connection busy instead of waiting for each 1 MiB chunk to drain
     * (gRPC's default is 32 KiB).
     */
    public static final int ON_READY_THRESHOLD = 4 * CHUNK_SIZE;

    /** Largest frame either end accepts: a chunk plus headroom for output batches. */
    public static final int MAX_FRAME = 8 << 20;

    private Protocol() {
    }
}
