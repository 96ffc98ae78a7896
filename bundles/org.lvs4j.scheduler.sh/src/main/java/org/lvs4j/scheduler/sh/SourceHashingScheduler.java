/*
 * Source hashing, exactly as IPVS's ip_vs_sh.c (Linux 4.x and later, with sh-port and sh-fallback).
 *
 * A 256-bucket table maps a hash of the client's address to a real server, so a client keeps its server as long as
 * the list does not change. The table is filled by walking the list (newest first) and giving each server as many
 * consecutive buckets as its weight, at least one (weight 0 still takes one), cycling through the list until all 256
 * are filled; weights summing to more than 256 starve the servers at the end of the list. Any change of the list,
 * and any edit of a server, refills it.
 *
 * The bucket is hash_32(port + address, 8) with Linux's multiplicative hash_32 (GOLDEN_RATIO_32 = 0x61C88647), the
 * address in host order (an IPv6 address XOR-folded to 32 bits), and port the client's source port with the sh-port
 * flag (flag-2), else 0. A bucket whose server has weight 0 or the OVERLOAD flag means "no destination available",
 * unless sh-fallback (flag-1) is set: then, starting from the original hash ihash, bucket (offset + ihash + ihash) mod
 * 256 is tried for offset 0..255 (the kernel adds ihash twice: once into roffset, once in the hash key) and the first
 * usable server wins; an empty bucket ends the search.
 */
package org.lvs4j.scheduler.sh;

import java.util.List;

import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.scheduler.Change;
import org.lvs4j.api.scheduler.Flow;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.api.scheduler.SchedulerInstance;
import org.lvs4j.api.scheduler.ServiceContext;
import org.lvs4j.scheduler.support.Hashing;
import org.osgi.service.component.annotations.Component;

/** The {@code sh} scheduler. */
@Component(property = Scheduler.NAME + "=sh")
public class SourceHashingScheduler implements Scheduler {

    static final int BITS = 8;
    static final int SIZE = 1 << BITS;

    @Override
    public SchedulerInstance newInstance(ServiceContext service) {
        return new Instance(service);
    }

    static final class Instance implements SchedulerInstance {

        private final ServiceContext service;
        /** Replaced whole on every change, so a pick reads one consistent table without locking. */
        private volatile RealServer[] buckets = new RealServer[SIZE];

        Instance(ServiceContext service) {
            this.service = service;
        }

        @Override
        public void update(List<RealServer> servers, Change change) {
            RealServer[] b = new RealServer[SIZE];
            if (!servers.isEmpty()) {
                int p = 0;
                int count = 0;
                for (int i = 0; i < SIZE; i++) {
                    RealServer d = servers.get(p);
                    b[i] = d;
                    if (++count >= d.weight()) {
                        p = (p + 1) % servers.size();
                        count = 0;
                    }
                }
            }
            buckets = b;
        }

        /** The table, for tests. */
        RealServer[] table() {
            return buckets.clone();
        }

        private static boolean unavailable(RealServer d) {
            return d.weight() <= 0 || d.overloaded();
        }

        @Override
        public RealServer pick(Flow flow) {
            RealServer[] b = buckets;
            int flags = service.config().schedulerFlags();
            int port = (flags & ServiceConfig.SCHED_FLAG_2) != 0 ? flow.sourcePort() : 0;
            int ihash = Hashing.hash32(port + Hashing.addressWord(flow.sourceAddress()), BITS);
            RealServer d = b[ihash];
            if (d == null || !unavailable(d)) {
                return d;
            }
            if ((flags & ServiceConfig.SCHED_FLAG_1) == 0) {
                return null;
            }
            for (int offset = 0; offset < SIZE; offset++) {
                int roffset = (offset + ihash) % SIZE;
                d = b[(roffset + ihash) & (SIZE - 1)];
                if (d == null) {
                    break;
                }
                if (!unavailable(d)) {
                    return d;
                }
            }
            return null;
        }
    }
}
