package org.lvs4j.scheduler.support;

import java.util.List;

import org.lvs4j.api.scheduler.RealServer;

/**
 * What lblc and lblcr know about the whole service: wlc over every server (their fallback, IPVS's
 * {@code __ip_vs_lblc_schedule}), whether a server is in the list, and how many servers have
 * {@code activeconns * 2 < weight}, which their "overloaded" rule asks about on every hit.
 *
 * <p>The kernel answers the last question with a walk over the list; keeping the count current from the counter
 * changes answers it in O(1). Not thread-safe: the scheduler instance serialises access.
 */
public final class LocalityLoad {

    private final LoadIndex wlc = new LoadIndex(LoadIndex.WLC, s -> (long) s.activeConns * 2 < s.weight);

    public void update(List<RealServer> servers) {
        wlc.rebuildUnlocked(servers);
    }

    public void countersChanged(RealServer server) {
        wlc.refreshUnlocked(server);
    }

    /** The wlc pick over all servers, or null. */
    public RealServer leastLoaded() {
        return wlc.bestUnlocked();
    }

    /** In the service's list (IPVS's IP_VS_DEST_F_AVAILABLE). */
    public boolean available(RealServer server) {
        return wlc.containsUnlocked(server);
    }

    /**
     * lblc's and lblcr's is_overloaded: the server has more active connections than its weight while some server
     * has fewer than half its weight.
     */
    public boolean overloaded(RealServer server) {
        return server.activeConns() > server.weight() && wlc.countUnlocked() > 0;
    }
}
