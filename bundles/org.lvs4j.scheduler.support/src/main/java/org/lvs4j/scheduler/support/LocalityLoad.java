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

    /** IPVS's wlc order. */
    public static final LoadIndex.Order WLC = new LoadIndex.Order() {
        @Override
        public boolean eligible(LoadIndex.Snapshot s) {
            return s.weight > 0 && !s.overloaded;
        }

        @Override
        public int compare(LoadIndex.Snapshot a, LoadIndex.Snapshot b) {
            return Long.compare(a.overhead() * b.weight, b.overhead() * a.weight);
        }
    };

    private final LoadIndex wlc = new LoadIndex(WLC);
    private int light;

    public void update(List<RealServer> servers) {
        wlc.rebuild(servers);
        int n = 0;
        for (RealServer s : servers) {
            if (light(wlc.snapshot(s))) {
                n++;
            }
        }
        light = n;
    }

    public void countersChanged(RealServer server) {
        LoadIndex.Snapshot s = wlc.snapshot(server);
        if (s == null) {
            return;
        }
        boolean before = light(s);
        wlc.refresh(server);
        if (light(s) != before) {
            light += before ? -1 : 1;
        }
    }

    private static boolean light(LoadIndex.Snapshot s) {
        return (long) s.activeConns * 2 < s.weight;
    }

    /** The wlc pick over all servers, or null. */
    public RealServer leastLoaded() {
        return wlc.best();
    }

    /** In the service's list (IPVS's IP_VS_DEST_F_AVAILABLE). */
    public boolean available(RealServer server) {
        return wlc.snapshot(server) != null;
    }

    /**
     * lblc's and lblcr's is_overloaded: the server has more active connections than its weight while some server
     * has fewer than half its weight.
     */
    public boolean overloaded(RealServer server) {
        return server.activeConns() > server.weight() && light > 0;
    }
}
