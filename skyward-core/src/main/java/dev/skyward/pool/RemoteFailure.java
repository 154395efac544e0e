package dev.skyward.pool;

import dev.skyward.wire.proto.ErrorInfo;

/** Carries a task's remote error from the transport thread to whoever decodes it. */
final class RemoteFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final transient ErrorInfo info;

    RemoteFailure(ErrorInfo info) {
        super(info.getClassName() + ": " + info.getMessage(), null, false, false);
        this.info = info;
    }
}
