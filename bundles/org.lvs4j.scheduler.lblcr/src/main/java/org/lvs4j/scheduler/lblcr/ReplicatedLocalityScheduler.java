/*
 * Locality-based least connections with replication, exactly as IPVS's ip_vs_lblcr.c.
 *
 * Like lblc, but a destination address maps to a set of servers (newest member first), so a popular origin can be
 * served by several caches. A new connection goes to the set's weighted least-connection member (available, weight
 * above 0, no OVERLOAD flag; ties to the newest member). If that member is "overloaded" in lblc's sense (more active
 * connections than its weight while some server has fewer than half its weight), or no member qualifies, wlc over
 * all servers chooses and the choice joins the set. A set with more than one member that has not changed for
 * lblcr_expiration (24 h) loses its most loaded member (highest overhead / weight among members with weight above
 * 0, ties to the newest) on the next lookup, so sets shrink back when the rush is over.
 *
 * Entries live in the same 1024-bucket table as lblc's and are collected the same way (LocalityTable).
 *
 * lvs4j's differences are in cost only: the all-servers wlc is a LoadIndex (O(1)), and "some server has fewer than
 * half its weight" is a count kept current instead of a walk. Sets are walked, as in the kernel; they are small.
 */
package org.lvs4j.scheduler.lblcr;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.lvs4j.api.scheduler.Change;
import org.lvs4j.api.scheduler.Flow;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.api.scheduler.SchedulerInstance;
import org.lvs4j.api.scheduler.ServiceContext;
import org.lvs4j.scheduler.support.LocalityLoad;
import org.lvs4j.scheduler.support.LocalityTable;
import org.osgi.service.component.annotations.Component;

/** The {@code lblcr} scheduler. */
@Component(property = Scheduler.NAME + "=lblcr")
public class ReplicatedLocalityScheduler implements Scheduler {

    static final String EXPIRATION = "lblcr_expiration";

    @Override
    public SchedulerInstance newInstance(ServiceContext service) {
        return new Instance(service);
    }

    /** A destination address and its server set (IPVS's ip_vs_dest_set), newest member first. */
    static final class ServerSet extends LocalityTable.Entry {
        final List<RealServer> members = new ArrayList<>(2);
        long lastMod;

        ServerSet(InetAddress address, long now) {
            super(address, now);
        }

        void insert(RealServer d, long now) {
            if (members.contains(d)) {
                return;
            }
            members.add(0, d);
            lastMod = now;
        }

        void erase(RealServer d, long now) {
            if (members.remove(d)) {
                lastMod = now;
            }
        }
    }

    private static long overhead(RealServer d) {
        return (d.activeConns() << 8) + d.inactiveConns();
    }

    static final class Instance implements SchedulerInstance {

        private final ServiceContext service;
        private final LocalityLoad load = new LocalityLoad();
        private final LocalityTable<ServerSet> table;
        private final java.util.function.LongSupplier expiration;

        Instance(ServiceContext service) {
            this.service = service;
            this.expiration = () -> service.sysctl(EXPIRATION);
            this.table = new LocalityTable<>(service.nanoTime());
        }

        @Override
        public synchronized void update(List<RealServer> servers, Change change) {
            load.update(servers);
        }

        @Override
        public synchronized void countersChanged(RealServer server) {
            load.countersChanged(server);
        }

        /** ip_vs_dest_set_min. */
        private RealServer setMin(ServerSet set) {
            List<RealServer> m = set.members;
            int i = 0;
            RealServer least = null;
            for (; i < m.size(); i++) {
                RealServer d = m.get(i);
                if (!d.overloaded() && d.weight() > 0 && load.available(d)) {
                    least = d;
                    break;
                }
            }
            if (least == null) {
                return null;
            }
            long loh = overhead(least);
            for (i++; i < m.size(); i++) {
                RealServer d = m.get(i);
                if (d.overloaded()) {
                    continue;
                }
                long doh = overhead(d);
                if (loh * d.weight() > doh * least.weight() && load.available(d)) {
                    least = d;
                    loh = doh;
                }
            }
            return least;
        }

        /** ip_vs_dest_set_max. */
        private static RealServer setMax(ServerSet set) {
            List<RealServer> m = set.members;
            int i = 0;
            RealServer most = null;
            for (; i < m.size(); i++) {
                if (m.get(i).weight() > 0) {
                    most = m.get(i);
                    break;
                }
            }
            if (most == null) {
                return null;
            }
            long moh = overhead(most);
            for (i++; i < m.size(); i++) {
                RealServer d = m.get(i);
                long doh = overhead(d);
                if (moh * d.weight() < doh * most.weight() && d.weight() > 0) {
                    most = d;
                    moh = doh;
                }
            }
            return most;
        }

        @Override
        public synchronized RealServer pick(Flow flow) {
            long now = service.nanoTime();
            table.tick(now, expiration);
            InetAddress daddr = flow.destinationAddress();
            ServerSet en = table.get(daddr);
            if (en != null) {
                en.lastUse = now;
                RealServer d = setMin(en);
                if (en.members.size() > 1
                        && now - (en.lastMod + TimeUnit.SECONDS.toNanos(expiration.getAsLong())) > 0) {
                    RealServer most = setMax(en);
                    if (most != null) {
                        en.erase(most, now);
                    }
                }
                if (d != null && !load.overloaded(d)) {
                    return d;
                }
                d = load.leastLoaded();
                if (d == null) {
                    return null; // no destination available
                }
                en.insert(d, now);
                return d;
            }
            RealServer d = load.leastLoaded();
            if (d == null) {
                return null;
            }
            ServerSet set = new ServerSet(daddr, now);
            set.insert(d, now);
            table.add(set);
            return d;
        }

        /** The set of a destination address, newest first, for tests. */
        synchronized List<RealServer> members(InetAddress daddr) {
            ServerSet s = table.get(daddr);
            return s == null ? List.of() : List.copyOf(s.members);
        }

        synchronized int entries() {
            return table.size();
        }

        @Override
        public synchronized void close() {
            table.clear();
        }
    }
}
