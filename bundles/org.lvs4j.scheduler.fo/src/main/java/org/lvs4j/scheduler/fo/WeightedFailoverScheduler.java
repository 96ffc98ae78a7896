/*
 * Weighted fail-over, exactly as IPVS's ip_vs_fo.c.
 *
 * Every new connection goes to the server with the highest weight among those with weight above 0 and no OVERLOAD
 * flag; ties go to the server earliest in the list (newest first), since only a strictly higher weight replaces the
 * best so far. Connection counts play no part: a primary takes everything until it is quiesced, overloaded (-x) or
 * removed, then the next weight takes over. Nothing eligible: "no destination available".
 *
 * lvs4j keeps the eligible servers in a LoadIndex ordered by weight, descending: O(1) per pick; a connection change
 * only moves a server when its overload flag flips.
 */
package org.lvs4j.scheduler.fo;

import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.api.scheduler.SchedulerInstance;
import org.lvs4j.api.scheduler.ServiceContext;
import org.lvs4j.scheduler.support.LoadIndex;
import org.osgi.service.component.annotations.Component;

/** The {@code fo} scheduler. */
@Component(property = Scheduler.NAME + "=fo")
public class WeightedFailoverScheduler implements Scheduler {

    static final LoadIndex.Order ORDER = new LoadIndex.Order() {
        @Override
        public boolean eligible(LoadIndex.Snapshot s) {
            return s.weight > 0 && !s.overloaded;
        }

        @Override
        public int compare(LoadIndex.Snapshot a, LoadIndex.Snapshot b) {
            return Integer.compare(b.weight, a.weight);
        }
    };

    @Override
    public SchedulerInstance newInstance(ServiceContext service) {
        return new LoadIndex(ORDER);
    }
}
