/*
 * Shortest expected delay, exactly as IPVS's ip_vs_sed.c.
 *
 * A new connection is expected to wait (activeconns + 1) / weight on a server: its own share of the server once the
 * connections already being served are counted. Inactive connections do not count, so UDP flows and connections in
 * handshake or TIME_WAIT are free. As in wlc the division is a cross-multiplication (loh * w_dest > doh * w_least in
 * 64-bit, strictly): the first server with weight above 0 and no OVERLOAD flag starts, later ones replace it only when
 * strictly better, so ties go to the server earliest in the list (newest first); overloaded servers are skipped.
 *
 * lvs4j gets the same answer from a LoadIndex ordered by the same comparison: O(1) per pick, O(log n) per connection
 * change.
 */
package org.lvs4j.scheduler.sed;

import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.api.scheduler.SchedulerInstance;
import org.lvs4j.api.scheduler.ServiceContext;
import org.lvs4j.scheduler.support.LoadIndex;
import org.osgi.service.component.annotations.Component;

/** The {@code sed} scheduler. */
@Component(property = Scheduler.NAME + "=sed")
public class ShortestExpectedDelayScheduler implements Scheduler {

    static final LoadIndex.Order ORDER = new LoadIndex.Order() {
        @Override
        public boolean eligible(LoadIndex.Snapshot s) {
            return s.weight > 0 && !s.overloaded;
        }

        @Override
        public int compare(LoadIndex.Snapshot a, LoadIndex.Snapshot b) {
            return Long.compare(delay(a) * b.weight, delay(b) * a.weight);
        }
    };

    /** ip_vs_sed_dest_overhead: activeconns + 1, as the kernel's unsigned int. */
    static long delay(LoadIndex.Snapshot s) {
        return (s.activeConns + 1) & 0xffffffffL;
    }

    @Override
    public SchedulerInstance newInstance(ServiceContext service) {
        return new LoadIndex(ORDER);
    }
}
