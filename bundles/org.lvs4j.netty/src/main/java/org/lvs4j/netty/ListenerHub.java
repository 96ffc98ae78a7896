package org.lvs4j.netty;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The listening sockets of virtual services. They belong to this bundle, not to the engine that serves them, so an
 * engine can be updated without closing them: while no engine is attached, accepted TCP connections are held unread
 * and UDP datagrams queued, and the next engine to attach gets them.
 */
@ProviderType
public interface ListenerHub {

    /** The TCP listener on {@code address}, bound on first use. */
    TcpListener tcp(InetSocketAddress address) throws IOException;

    /** The UDP socket on {@code address}, bound on first use. */
    UdpListener udp(InetSocketAddress address) throws IOException;

    /** Addresses with a TCP listener. */
    Set<InetSocketAddress> tcpAddresses();

    /** Addresses with a UDP socket. */
    Set<InetSocketAddress> udpAddresses();
}
