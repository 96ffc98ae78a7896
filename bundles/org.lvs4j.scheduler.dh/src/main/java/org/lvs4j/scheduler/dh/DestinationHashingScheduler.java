/*
 * Destination hashing, exactly as IPVS's ip_vs_dh.c.
 *
 * A 256-bucket table maps a hash of the packet's destination address to a real server: made for cache clusters
 * where the destination is the origin server a client wants, so each origin's objects live on one cache. The table
 * is filled one bucket per server, walking the list (newest first) round and round, weights ignored. Adding or
 * removing a server refills it; editing one does not (dh has no upd_dest hook), so a weight change only matters as
 * weight 0 versus above.
 *
 * The bucket is hash_32(address, 8) with Linux's multiplicative hash_32 (GOLDEN_RATIO_32 = 0x61C88647), the address
 * in host order, an IPv6 address XOR-folded to 32 bits. A bucket whose server has weight 0 or the OVERLOAD flag
 * means "no destination available": dh has no fallback.
 */
package org.lvs4j.scheduler.dh;

import java.util.List;

import org.lvs4j.api.scheduler.Change;
import org.lvs4j.api.scheduler.Flow;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.api.scheduler.SchedulerInstance;
import org.lvs4j.api.scheduler.ServiceContext;
import org.lvs4j.scheduler.support.Hashing;
import org.osgi.service.component.annotations.Component;

/** The {@code dh} scheduler. */
@Component(property = Scheduler.NAME + "=dh")
public class DestinationHashingScheduler implements Scheduler {

    static final int BITS = 8;
    static final int SIZE = 1 << BITS;

    @Override
    public SchedulerInstance newInstance(ServiceContext service) {
        return new Instance();
    }

    static final class Instance implements SchedulerInstance {

        /** Replaced whole on every refill, so a pick reads one consistent table without locking. */
        private volatile RealServer[] buckets = new RealServer[SIZE];

        @Override
        public void update(List<RealServer> servers, Change change) {
            if (change.kind() == Change.Kind.EDIT) {
                return; // no upd_dest in ip_vs_dh.c
            }
            RealServer[] b = new RealServer[SIZE];
            if (!servers.isEmpty()) {
                for (int i = 0; i < SIZE; i++) {
                    b[i] = servers.get(i % servers.size());
                }
            }
            buckets = b;
        }

        /** The table, for tests. */
        RealServer[] table() {
            return buckets.clone();
        }

        @Override
        public RealServer pick(Flow flow) {
            RealServer d = buckets[Hashing.hash32(Hashing.addressWord(flow.destinationAddress()), BITS)];
            if (d == null || d.weight() <= 0 || d.overloaded()) {
                return null;
            }
            return d;
        }
    }
}
