package dev.skyward.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/**
 * The client's transport warm-up (run while the first agents boot) goes through a whole connection and
 * one call's first frames on loopback, and leaves nothing listening behind it.
 */
class TransportWarmUpTest {

    private static final int HEADERS = 1;

    @Test
    void aWarmUpConnectsSendsOneCallsHeadersAndClosesItsListener() {
        NodeConnection.WarmUp warmUp = NodeConnection.warmUpConnection();

        assertThat(warmUp.port()).isPositive();
        assertThat(warmUp.framesReceived()).as("frame types after the preface").contains(HEADERS);
        assertThatThrownBy(() -> {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), warmUp.port())) {
                s.getInputStream();
            }
        }).as("the warm-up's listener is closed").isInstanceOf(IOException.class);
    }
}
