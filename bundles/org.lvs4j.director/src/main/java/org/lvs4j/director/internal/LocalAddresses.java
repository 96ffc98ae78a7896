package org.lvs4j.director.internal;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;

/** Whether an address belongs to this host (IPVS's RTN_LOCAL test, which makes a real server {@code Local}). */
final class LocalAddresses {

    private LocalAddresses() {
    }

    static boolean isLocal(InetAddress address) {
        if (address.isLoopbackAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
