/*
 * Weighted least connections (ipvsadm's default scheduler), exactly as IPVS's ip_vs_wlc.c.
 *
 * The kernel minimises overhead / weight, overhead being activeconns * 256 + inactconns, without dividing: the first
 * server in the list (newest first) with weight above 0 and no OVERLOAD flag is the first candidate, and a later one
 * replaces it only when loh * w_dest > doh * w_least in 64-bit arithmetic, strictly, so ties go to the server earliest
 * in the list. Overloaded servers are skipped; a weight of 0 can never win the comparison. Example: S1 weight 1 with
 * one active connection (256) against S2 weight 3 with two (512): 256 * 3 > 512 * 1, so S2.
 *
 * lvs4j gets the same answer from a LoadIndex ordered by the same cross-multiplication: O(1) per pick, O(log n) per
 * connection change.
 */
package org.lvs4j.scheduler.wlc;

import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.api.scheduler.SchedulerInstance;
import org.lvs4j.api.scheduler.ServiceContext;
import org.lvs4j.scheduler.support.LoadIndex;
import org.osgi.service.component.annotations.Component;

/** The {@code wlc} scheduler. */
@Component(property = Scheduler.NAME + "=wlc")
public class WeightedLeastConnectionScheduler implements Scheduler {

    @Override
    public SchedulerInstance newInstance(ServiceContext service) {
        return new LoadIndex(LoadIndex.WLC);
    }
}
