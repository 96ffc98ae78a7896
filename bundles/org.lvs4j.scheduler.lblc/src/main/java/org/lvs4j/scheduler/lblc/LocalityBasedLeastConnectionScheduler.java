/*
 * Locality-based least connections, exactly as IPVS's ip_vs_lblc.c.
 *
 * Made for cache clusters: requests for one destination address (the origin server a client asked for) should keep
 * going to the same cache. A table remembers, per destination address, the server last chosen for it. A new
 * connection takes that server unless it has left the list, has weight 0, or is "overloaded" in lblc's sense: more
 * active connections than its weight while some server has fewer than half its weight. Otherwise wlc over all
 * servers chooses, and the table entry is replaced. No entry: wlc chooses and the entry is made.
 *
 * Entries are looked up in 1024 buckets and collected every 60 s as LocalityTable describes: entries unused for
 * 6 minutes when there are more than 16384, and every 30 minutes all unused for lblc_expiration (24 h).
 *
 * lvs4j's differences are in cost only: wlc is a LoadIndex (O(1) pick), and "some server has fewer than half its
 * weight" is a count kept current from counter changes instead of a walk.
 */
package org.lvs4j.scheduler.lblc;

import java.net.InetAddress;
import java.util.List;

import org.lvs4j.api.scheduler.Change;
import org.lvs4j.api.scheduler.Flow;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.api.scheduler.SchedulerInstance;
import org.lvs4j.api.scheduler.ServiceContext;
import org.lvs4j.scheduler.support.LocalityLoad;
import org.lvs4j.scheduler.support.LocalityTable;
import org.osgi.service.component.annotations.Component;

/** The {@code lblc} scheduler. */
@Component(property = Scheduler.NAME + "=lblc")
public class LocalityBasedLeastConnectionScheduler implements Scheduler {

    static final String EXPIRATION = "lblc_expiration";

    @Override
    public SchedulerInstance newInstance(ServiceContext service) {
        return new Instance(service);
    }

    static final class Cached extends LocalityTable.Entry {
        final RealServer server;

        Cached(InetAddress address, long now, RealServer server) {
            super(address, now);
            this.server = server;
        }
    }

    static final class Instance implements SchedulerInstance {

        private final ServiceContext service;
        private final LocalityLoad load = new LocalityLoad();
        private final LocalityTable<Cached> table;
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

        @Override
        public synchronized RealServer pick(Flow flow) {
            long now = service.nanoTime();
            table.tick(now, expiration);
            InetAddress daddr = flow.destinationAddress();
            Cached en = table.get(daddr);
            if (en != null) {
                en.lastUse = now;
                RealServer d = en.server;
                if (load.available(d) && d.weight() > 0 && !load.overloaded(d)) {
                    return d;
                }
            }
            RealServer d = load.leastLoaded();
            if (d == null) {
                return null; // no destination available
            }
            if (en == null || en.server != d) {
                // ip_vs_lblc_new: a different server replaces the entry; the new one is fresh.
                if (en != null) {
                    table.remove(en);
                }
                table.add(new Cached(daddr, now, d));
            }
            return d;
        }

        /** Entries in the table, for tests. */
        synchronized int entries() {
            return table.size();
        }

        @Override
        public synchronized void close() {
            table.clear();
        }
    }
}
