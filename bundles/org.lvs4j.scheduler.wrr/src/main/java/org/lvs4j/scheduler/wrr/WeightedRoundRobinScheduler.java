/*
 * Weighted round robin, exactly as IPVS's ip_vs_wrr.c.
 *
 * State per service: a cursor into the real-server list (IPVS order, newest first; -1 is the head), the current weight
 * cw, the maximum weight mw and the decreasing interval di. di is the greatest common divisor of the positive weights
 * (1 if there are none) and mw is the largest weight minus (di - 1).
 *
 * A pick walks forward from the entry after the cursor to the end of the list and takes the first server that is not
 * overloaded and whose weight is at least cw. At the end of the list cw drops by di and the walk starts again from the
 * head; when cw reaches 0 it starts over at mw. A server of weight w is thus picked w/di times per cycle, in bursts:
 * weights 4, 3, 2 give A A B A B C A B C. The walk gives up ("no destination available") when mw is 0, or once every
 * server was checked against cw <= di without success (all overloaded).
 *
 * Any change of the list (a server added, removed or edited) puts the cursor back at the head and recomputes di and
 * mw; cw becomes mw when it is 0 or above mw, and otherwise is rounded to a multiple of di plus 1. Creating the
 * instance on an empty list leaves cw at 0, so the first server added sets cw to its weight - (di - 1) and the next
 * ones keep it: after adding A(4), B(3), C(2) to a new service cw is 1, and the first lap picks every server once
 * (C B A) before the steady cycle A B A C B A C B A.
 */
package org.lvs4j.scheduler.wrr;

import java.util.List;

import org.lvs4j.api.scheduler.Change;
import org.lvs4j.api.scheduler.Flow;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.api.scheduler.SchedulerInstance;
import org.lvs4j.api.scheduler.ServiceContext;
import org.osgi.service.component.annotations.Component;

/** The {@code wrr} scheduler. */
@Component(property = Scheduler.NAME + "=wrr")
public class WeightedRoundRobinScheduler implements Scheduler {

    @Override
    public SchedulerInstance newInstance(ServiceContext service) {
        return new Instance();
    }

    /** Per-service state; picks serialise on the instance, as IPVS's on its sched_lock. */
    static final class Instance implements SchedulerInstance {

        private static final int HEAD = -1;
        private static final int NONE = -2;

        private List<RealServer> list = List.of();
        private int cursor = HEAD;
        private int cw;
        private int mw;
        private int di = 1;

        @Override
        public synchronized void update(List<RealServer> servers, Change change) {
            list = servers;
            cursor = HEAD;
            di = gcd(servers);
            mw = max(servers) - (di - 1);
            if (change.kind() == Change.Kind.RESET) {
                cw = mw; // ip_vs_wrr_init_svc
            } else if (cw > mw || cw == 0) {
                cw = mw; // ip_vs_wrr_dest_changed
            } else if (di > 1) {
                cw = (cw / di) * di + 1;
            }
        }

        private static int gcd(List<RealServer> servers) {
            int g = 0;
            for (RealServer r : servers) {
                int w = r.weight();
                if (w > 0) {
                    g = g > 0 ? gcd(w, g) : w;
                }
            }
            return g > 0 ? g : 1;
        }

        private static int gcd(int a, int b) {
            while (b != 0) {
                int t = a % b;
                a = b;
                b = t;
            }
            return a;
        }

        private static int max(List<RealServer> servers) {
            int m = 0;
            for (RealServer r : servers) {
                m = Math.max(m, r.weight());
            }
            return m;
        }

        @Override
        public synchronized RealServer pick(Flow flow) {
            if (mw == 0) {
                return null;
            }
            List<RealServer> l = list;
            int n = l.size();
            int last = cursor;
            int from = cursor;
            int stop = NONE;
            boolean lastPass = false;
            boolean restarted = false;
            while (true) {
                for (int j = from + 1; j < n; j++) {
                    RealServer d = l.get(j);
                    if (!d.overloaded() && d.weight() >= cw) {
                        cursor = j;
                        return d;
                    }
                    if (j == stop) {
                        cursor = j;
                        return null; // all destinations are overloaded
                    }
                }
                from = HEAD;
                cw -= di;
                if (cw <= 0) {
                    cw = mw;
                    if (lastPass || last == HEAD) {
                        cursor = HEAD;
                        return null;
                    }
                    restarted = true;
                }
                lastPass = cw <= di;
                if (lastPass && restarted && last != HEAD) {
                    stop = last;
                }
            }
        }
    }
}
