package org.lvs4j.api.sync;

import java.net.InetAddress;

import org.lvs4j.api.ConnectionState;

/**
 * One connection-table entry as the sync protocol carries it (IPVS's {@code struct ip_vs_sync_conn_v1}).
 *
 * @param protocol        IP protocol number (6 TCP, 17 UDP); 0 for a template of a fwmark service
 * @param flags           IPVS connection flags: forwarding method in the low 3 bits, {@link #TEMPLATE},
 *                        {@link #ONE_PACKET}, {@link #NO_OUTPUT}, {@link #INACTIVE}
 * @param state           the entry's state (a template's is {@link ConnectionState#NONE})
 * @param client          client address (a template's is masked by the service's netmask)
 * @param clientPort      client port (0 for a template)
 * @param virtual         virtual IP
 * @param virtualPort     the virtual port the client addressed (0 for a template of a port-0 service)
 * @param destination     real server address
 * @param destinationPort real server port
 * @param fwmark          firewall mark (lvs4j has no fwmark services: 0)
 * @param timeoutSeconds  the entry's timeout on the sender
 */
public record SyncedConnection(int protocol, int flags, ConnectionState state, InetAddress client, int clientPort,
                               InetAddress virtual, int virtualPort, InetAddress destination, int destinationPort,
                               int fwmark, int timeoutSeconds) {

    /** Forwarding method: masquerading. */
    public static final int FWD_MASQ = 0;
    /** Forwarding method: the real server is the director itself. */
    public static final int FWD_LOCALNODE = 1;
    /** Forwarding method: IP-IP tunnel. */
    public static final int FWD_TUNNEL = 2;
    /** Forwarding method: direct routing. */
    public static final int FWD_DROUTE = 3;
    /** Forwarding method: lvs4j's full-NAT socket engine (a value IPVS leaves unused). */
    public static final int FWD_FULLNAT = 5;
    public static final int FWD_MASK = 0x7;
    /** Replies are not seen (direct routing, tunnel). */
    public static final int NO_OUTPUT = 0x80;
    /** Counted in InActConn. */
    public static final int INACTIVE = 0x100;
    /** A persistence template. */
    public static final int TEMPLATE = 0x1000;
    /** A one-packet (-o) entry. */
    public static final int ONE_PACKET = 0x2000;

    public boolean template() {
        return (flags & TEMPLATE) != 0;
    }
}
