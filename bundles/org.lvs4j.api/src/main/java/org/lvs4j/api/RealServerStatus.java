package org.lvs4j.api;

/**
 * A snapshot of one real server as listings show it.
 *
 * @param config           what ipvsadm configured
 * @param adminState       the operator's state (ready, drain, maint)
 * @param local            the address belongs to the director itself (IPVS's LOCALNODE; shown {@code Local} for
 *                         packet-engine methods)
 * @param forwarderMissing no forwarder bundle for its method is present ({@code [no forwarder]})
 * @param overloaded       the {@code -x} threshold was reached and the {@code -y} rule has not cleared it
 * @param activeConns      ActiveConn as IPVS counts it (TCP connections in ESTABLISHED)
 * @param inactiveConns    InActConn (every other connection, UDP included)
 * @param persistentConns  persistence templates pointing at this server
 * @param stats            totals since the last zeroing
 * @param rates            smoothed per-second rates
 */
public record RealServerStatus(RealServerConfig config, AdminState adminState, boolean local,
                               boolean forwarderMissing, boolean overloaded, int activeConns, int inactiveConns,
                               int persistentConns, Counters stats, Counters rates) {
}
