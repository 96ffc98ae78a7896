package org.lvs4j.api;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Comparator;
import java.util.Objects;

/**
 * Identity of a virtual service: protocol, virtual IP and port. Port 0 is the persistent "any port" service.
 *
 * @param protocol TCP or UDP
 * @param address  the virtual IP, IPv4 or IPv6
 * @param port     0..65535
 */
public record ServiceKey(Protocol protocol, InetAddress address, int port) implements Comparable<ServiceKey> {

    /**
     * The order of {@code ipvsadm -L}: IPv4 before IPv6, then protocol number, address and port, compared as unsigned
     * numbers. (libipvs subtracts unsigned addresses into an int, which inverts the order of addresses more than 2^31
     * apart; lvs4j sorts them numerically.)
     */
    private static final Comparator<ServiceKey> ORDER = Comparator
            .comparingInt((ServiceKey k) -> k.isIpv6() ? 1 : 0)
            .thenComparingInt(k -> k.protocol.number())
            .thenComparing(ServiceKey::address, Addresses::compare)
            .thenComparingInt(ServiceKey::port);

    public ServiceKey {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** True for an IPv6 virtual IP. */
    public boolean isIpv6() {
        return address instanceof Inet6Address;
    }

    @Override
    public int compareTo(ServiceKey o) {
        return ORDER.compare(this, o);
    }

    /** {@code TCP 10.0.0.1:80} or {@code UDP [2001:db8::1]:53}, numeric. */
    @Override
    public String toString() {
        return protocol + " " + Addresses.withPort(address, port);
    }
}
