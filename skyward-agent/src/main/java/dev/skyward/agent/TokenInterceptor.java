package dev.skyward.agent;

import dev.skyward.wire.Protocol;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Refuses every call that does not carry the pool's token. */
final class TokenInterceptor implements ServerInterceptor {

    private final byte[] token;

    TokenInterceptor(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        String presented = headers.get(Protocol.TOKEN_HEADER);
        // Constant-time comparison: the agent may be reachable by other users of the machine.
        if (presented == null || !MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
            call.close(Status.UNAUTHENTICATED.withDescription(presented == null
                    ? "missing pool token (header " + Protocol.TOKEN_HEADER.name() + ")"
                    : "wrong pool token"), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        return next.startCall(call, headers);
    }
}
