package org.lvs4j.api.scheduler;

import java.net.InetAddress;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The scheduler's live view of one real server. The counters change as connections come and go; the scheduler reads
 * them at pick time without locking, as IPVS reads {@code atomic_t} fields.
 */
@ProviderType
public interface RealServer {

    InetAddress address();

    int port();

    /**
     * The weight schedulers use: the configured weight, or 0 while the server is drained, in maintenance or
     * quiescent. A server with weight 0 must not be picked.
     */
    int weight();

    /** The last weight above 0 this server had (IPVS's {@code last_weight}; mh builds its table from it). */
    int lastWeight();

    /** Connections in ESTABLISHED. */
    int activeConns();

    /** Every other connection of this server (UDP flows included). */
    int inactiveConns();

    /** The {@code -x} threshold was reached; such a server must not be picked. */
    boolean overloaded();

    /** IPVS's {@code ip_vs_dest_conn_overhead}: {@code activeconns * 256 + inactconns}. */
    default long overhead() {
        return ((long) activeConns() << 8) + inactiveConns();
    }
}
