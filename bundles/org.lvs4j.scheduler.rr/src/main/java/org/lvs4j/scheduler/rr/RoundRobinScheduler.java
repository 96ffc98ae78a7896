/*
 * Round robin, exactly as IPVS's ip_vs_rr.c.
 *
 * The service keeps a cursor into its real-server list, which is in IPVS order: the most recently added server first.
 * The cursor starts before the head. A pick walks forward from the entry after the cursor, wrapping around the list,
 * and takes the first server that has a weight above 0 and is not overloaded; the entry under the cursor is tried
 * last, so one pick looks at every server at most once. The chosen server becomes the cursor. When nothing qualifies
 * the pick fails ("no destination available") and the cursor stays.
 *
 * List changes keep the cursor on the same server: an addition goes in front of the head and shifts indices by one;
 * removing the server under the cursor moves the cursor to the entry before it (or before the head), as
 * ip_vs_rr_del_dest does. So adding A, B, C (list C, B, A) gives the picks C, B, A, C, B, A.
 */
package org.lvs4j.scheduler.rr;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.lvs4j.api.scheduler.Change;
import org.lvs4j.api.scheduler.Flow;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.api.scheduler.SchedulerInstance;
import org.lvs4j.api.scheduler.ServiceContext;
import org.osgi.service.component.annotations.Component;

/** The {@code rr} scheduler. */
@Component(property = Scheduler.NAME + "=rr")
public class RoundRobinScheduler implements Scheduler {

    @Override
    public SchedulerInstance newInstance(ServiceContext service) {
        return new Instance();
    }

    /** Per-service state: the list snapshot and the cursor into it (-1: before the head). */
    static final class Instance implements SchedulerInstance {

        /** A list and its cursor; replaced as a whole on every list change, so a pick never mixes two lists. */
        private record State(List<RealServer> servers, AtomicInteger cursor) {
        }

        private volatile State state = new State(List.of(), new AtomicInteger(-1));

        @Override
        public void update(List<RealServer> servers, Change change) {
            State old = state;
            int cursor = old.cursor.get();
            switch (change.kind()) {
                case RESET -> cursor = -1;
                case ADD -> {
                    if (cursor >= 0) {
                        cursor++;
                    }
                }
                case REMOVE -> {
                    int removed = old.servers.indexOf(change.server());
                    if (removed >= 0 && cursor >= removed) {
                        cursor--;
                    }
                }
                case EDIT -> {
                    // weights and thresholds are read at pick time
                }
            }
            state = new State(servers, new AtomicInteger(Math.min(cursor, servers.size() - 1)));
        }

        @Override
        public RealServer pick(Flow flow) {
            State s = state;
            List<RealServer> list = s.servers;
            int n = list.size();
            while (true) {
                int cursor = s.cursor.get();
                int chosen = -1;
                for (int step = 1; step <= n; step++) {
                    int i = (cursor + step) % n;
                    if (cursor < 0) {
                        i = step - 1;
                    }
                    RealServer r = list.get(i);
                    if (r.weight() > 0 && !r.overloaded()) {
                        chosen = i;
                        break;
                    }
                }
                if (chosen < 0) {
                    return null;
                }
                // Concurrent picks race for the cursor; the loser picks again after the winner's choice.
                if (s.cursor.compareAndSet(cursor, chosen)) {
                    return list.get(chosen);
                }
            }
        }
    }
}
