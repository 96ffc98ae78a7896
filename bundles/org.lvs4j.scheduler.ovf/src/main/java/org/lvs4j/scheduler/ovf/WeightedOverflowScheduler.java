/*
 * Weighted overflow, exactly as IPVS's ip_vs_ovf.c.
 *
 * Like fo, the server with the highest weight wins (ties to the earliest in the list, newest first), but a server is
 * only eligible while its active connections do not exceed its weight: activeconns > weight skips it, so a server of
 * weight 4 still takes a connection with 4 active ones, and the overflow goes to the next weight. Weight 0 and the
 * OVERLOAD flag skip a server too. Nothing eligible: "no destination available".
 *
 * lvs4j keeps the eligible servers in a LoadIndex ordered by weight, descending; a connection change re-checks the
 * server's eligibility in O(log n), a pick reads the root.
 */
package org.lvs4j.scheduler.ovf;

import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.api.scheduler.SchedulerInstance;
import org.lvs4j.api.scheduler.ServiceContext;
import org.lvs4j.scheduler.support.LoadIndex;
import org.osgi.service.component.annotations.Component;

/** The {@code ovf} scheduler. */
@Component(property = Scheduler.NAME + "=ovf")
public class WeightedOverflowScheduler implements Scheduler {

    static final LoadIndex.Order ORDER = new LoadIndex.Order() {
        @Override
        public boolean eligible(LoadIndex.Snapshot s) {
            return s.weight > 0 && !s.overloaded && s.activeConns <= s.weight;
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
