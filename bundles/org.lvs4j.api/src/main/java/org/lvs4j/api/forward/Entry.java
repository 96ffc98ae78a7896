package org.lvs4j.api.forward;

import java.net.InetAddress;

import org.lvs4j.api.ConnectionState;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.ProxyProtocol;
import org.lvs4j.api.ServiceKey;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One entry of the director's connection table as an engine sees it: where to forward, and the calls that keep
 * IPVS's states, counters and timers right.
 */
@ProviderType
public interface Entry {

    ServiceKey service();

    /** The virtual port the client addressed: the service's port, or the client's own choice on a port-0 service. */
    int virtualPort();

    /** The real server is an address of the director itself ({@code Local} in listings). */
    boolean local();

    /** The real server. */
    InetAddress destinationAddress();

    int destinationPort();

    ForwardMethod method();

    ProxyProtocol proxyProtocol();

    ConnectionState state();

    /** Moves the entry to a state: ActiveConn/InActConn and the timeout follow, the timer restarts. */
    void state(ConnectionState next);

    /**
     * A TCP segment passed the director, from the client ({@code fromClient}) or from the real server: the state
     * follows IPVS's state table by the segment's flags (the TCP header's flags byte).
     */
    void tcpSegment(boolean fromClient, int flags);

    /** Data from the client to the real server: counted (one packet per call) and the timer restarts. */
    void in(long bytes);

    /** Data from the real server to the client. */
    void out(long bytes);

    /** Ends the entry now. */
    void expire();

    boolean expired();

    /** A one-packet (-o) entry: forward one datagram and expire it. */
    boolean onePacket();

    /**
     * Runs once when the entry expires (idle timeout, or {@link #expire()}); engines close what they hold. Null
     * removes the hook (an engine that closed its sockets, so the entry does not keep them reachable).
     */
    void onExpire(Runnable hook);
}
