package org.lvs4j.api;

import java.net.InetAddress;
import java.util.Objects;

/**
 * What {@code ipvsadm -a}/{@code -e} sets on a real server. An edit replaces the whole record, as ipvsadm does; the
 * {@link AdminState} is kept apart and survives edits.
 *
 * @param address        the real server's IP
 * @param port           its port; for direct routing and tunnelling always the service port
 * @param method         forwarding method
 * @param weight         0..2147483647; 0 takes no new connections (quiescent)
 * @param upperThreshold {@code -x}: at this many connections the server is overloaded (0 = no limit)
 * @param lowerThreshold {@code -y}: below this many the overload ends (0 = the IPVS default rule)
 * @param tunnel         encapsulation for {@link ForwardMethod#TUNNEL}, null for other methods
 * @param proxyProtocol  PROXY protocol header sent by the socket engine ({@code --proxy-protocol})
 */
public record RealServerConfig(InetAddress address, int port, ForwardMethod method, int weight, int upperThreshold,
                               int lowerThreshold, TunnelConfig tunnel, ProxyProtocol proxyProtocol) {

    public RealServerConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(proxyProtocol, "proxyProtocol");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (weight < 0) {
            throw new IllegalArgumentException("weight out of range: " + weight);
        }
        if (upperThreshold < 0 || lowerThreshold < 0) {
            throw new IllegalArgumentException("thresholds must not be negative");
        }
        if (method == ForwardMethod.TUNNEL && tunnel == null) {
            tunnel = TunnelConfig.IPIP;
        }
        if (method != ForwardMethod.TUNNEL) {
            tunnel = null;
        }
    }

    /** A real server with ipvsadm's defaults for thresholds and no PROXY header. */
    public static RealServerConfig of(InetAddress address, int port, ForwardMethod method, int weight) {
        return new RealServerConfig(address, port, method, weight, 0, 0, null, ProxyProtocol.NONE);
    }

    public RealServerConfig withWeight(int newWeight) {
        return new RealServerConfig(address, port, method, newWeight, upperThreshold, lowerThreshold, tunnel,
                proxyProtocol);
    }

    public RealServerConfig withThresholds(int upper, int lower) {
        return new RealServerConfig(address, port, method, weight, upper, lower, tunnel, proxyProtocol);
    }

    /** {@code 10.0.0.1:80} or {@code [2001:db8::1]:80}. */
    public String endpoint() {
        return Addresses.withPort(address, port);
    }
}
