package dev.skyward.aws;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.Optional;

/** This machine's public IPv4 address, when an interface carries one: known without asking any server. */
final class ClientAddress {

    private ClientAddress() {
    }

    static Optional<String> publicCidr() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && isPublic((Inet4Address) a)) {
                        return Optional.of(a.getHostAddress() + "/32");
                    }
                }
            }
        } catch (SocketException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    static boolean isPublic(Inet4Address a) {
        byte[] b = a.getAddress();
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        int third = b[2] & 0xff;
        boolean carrierNat = first == 100 && second >= 64 && second < 128;
        // Documentation and benchmarking ranges are never where a client's traffic comes from.
        boolean reserved = first == 192 && second == 0 && (third == 0 || third == 2)
                || first == 198 && (second == 18 || second == 19 || second == 51 && third == 100)
                || first == 203 && second == 0 && third == 113;
        return !(a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress() || carrierNat || reserved || first == 0 || first >= 240);
    }
}
