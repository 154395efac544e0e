package dev.skyward.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Which of this machine's addresses could be the source of its SSH connections to EC2 (no network used). */
class ClientAddressTest {

    static boolean isPublic(int a, int b, int c, int d) throws Exception {
        return ClientAddress.isPublic((Inet4Address) InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c,
                (byte) d}));
    }

    @Test
    void onlyGloballyRoutedAddressesCount() throws Exception {
        assertThat(isPublic(8, 8, 8, 8)).isTrue();
        assertThat(isPublic(52, 94, 1, 10)).isTrue();
        assertThat(isPublic(127, 0, 0, 1)).as("loopback").isFalse();
        assertThat(isPublic(10, 1, 2, 3)).as("private").isFalse();
        assertThat(isPublic(172, 31, 0, 5)).as("private").isFalse();
        assertThat(isPublic(192, 168, 1, 2)).as("private").isFalse();
        assertThat(isPublic(169, 254, 169, 254)).as("link-local").isFalse();
        assertThat(isPublic(100, 64, 0, 1)).as("carrier-grade NAT").isFalse();
        assertThat(isPublic(192, 0, 2, 2)).as("documentation").isFalse();
        assertThat(isPublic(203, 0, 113, 7)).as("documentation").isFalse();
        assertThat(isPublic(198, 18, 0, 1)).as("benchmarking").isFalse();
    }

    @Test
    void theSourceIsASingleAddressOrUnknown() {
        ClientAddress.publicCidr().ifPresent(c -> assertThat(c).matches("\\d+\\.\\d+\\.\\d+\\.\\d+/32"));
    }
}
