package org.lvs4j.api;

/**
 * The engine that carries a virtual service's traffic. A service runs on exactly one engine, chosen by the forwarding
 * method of its real servers.
 */
public enum Engine {
    /** Netty sockets: full-NAT proxying ({@code -b}); works unprivileged. */
    SOCKET,
    /** Raw packets through AF_PACKET: NAT, direct routing and tunnelling ({@code -m}, {@code -g}, {@code -i}). */
    PACKET
}
