/*
 * Least connections, exactly as IPVS's ip_vs_lc.c.
 *
 * The kernel walks the real-server list (newest first) for every new connection and keeps the server with the
 * smallest overhead, activeconns * 256 + inactconns, skipping servers with weight 0 (quiescent) or the OVERLOAD flag;
 * only a strictly smaller overhead replaces the best so far, so ties go to the server earliest in the list. Weights
 * above 0 play no other part. Nothing eligible: "no destination available".
 *
 * lvs4j gets the same answer from a LoadIndex ordered by overhead: O(1) per pick, O(log n) per connection change.
 */
package org.lvs4j.scheduler.lc;

import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.api.scheduler.SchedulerInstance;
import org.lvs4j.api.scheduler.ServiceContext;
import org.lvs4j.scheduler.support.LoadIndex;
import org.osgi.service.component.annotations.Component;

/** The {@code lc} scheduler. */
@Component(property = Scheduler.NAME + "=lc")
public class LeastConnectionScheduler implements Scheduler {

    static final LoadIndex.Order ORDER = new LoadIndex.Order() {
        @Override
        public boolean eligible(LoadIndex.Snapshot s) {
            return s.weight > 0 && !s.overloaded;
        }

        @Override
        public int compare(LoadIndex.Snapshot a, LoadIndex.Snapshot b) {
            return Long.compare(a.overhead(), b.overhead());
        }
    };

    @Override
    public SchedulerInstance newInstance(ServiceContext service) {
        return new LoadIndex(ORDER);
    }
}
