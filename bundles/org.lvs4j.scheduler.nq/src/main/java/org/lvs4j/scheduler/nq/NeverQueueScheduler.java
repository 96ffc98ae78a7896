/*
 * Never queue, exactly as IPVS's ip_vs_nq.c.
 *
 * Walking the list (newest first) and skipping servers with weight 0 or the OVERLOAD flag, the kernel returns at once
 * the first server that has no active connection: an idle server means no waiting at all, whatever its weight. When
 * every eligible server is busy it falls back to sed's rule, the smallest (activeconns + 1) / weight by
 * cross-multiplication, ties to the earliest in the list.
 *
 * lvs4j orders a LoadIndex by (idle first, then sed's comparison), list position breaking ties: the root is the first
 * idle server when there is one, else sed's answer. O(1) per pick, O(log n) per connection change.
 */
package org.lvs4j.scheduler.nq;

import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.api.scheduler.SchedulerInstance;
import org.lvs4j.api.scheduler.ServiceContext;
import org.lvs4j.scheduler.support.LoadIndex;
import org.osgi.service.component.annotations.Component;

/** The {@code nq} scheduler. */
@Component(property = Scheduler.NAME + "=nq")
public class NeverQueueScheduler implements Scheduler {

    static final LoadIndex.Order ORDER = new LoadIndex.Order() {
        @Override
        public boolean eligible(LoadIndex.Snapshot s) {
            return s.weight > 0 && !s.overloaded;
        }

        @Override
        public int compare(LoadIndex.Snapshot a, LoadIndex.Snapshot b) {
            boolean idleA = a.activeConns == 0;
            boolean idleB = b.activeConns == 0;
            if (idleA || idleB) {
                return idleA == idleB ? 0 : idleA ? -1 : 1;
            }
            return Long.compare(delay(a) * b.weight, delay(b) * a.weight);
        }
    };

    /** ip_vs_nq_dest_overhead: activeconns + 1, as the kernel's unsigned int. */
    static long delay(LoadIndex.Snapshot s) {
        return (s.activeConns + 1) & 0xffffffffL;
    }

    @Override
    public SchedulerInstance newInstance(ServiceContext service) {
        return new LoadIndex(ORDER);
    }
}
