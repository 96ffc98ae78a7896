/*
 * Maglev consistent hashing, as IPVS's ip_vs_mh.c.
 *
 * A lookup table of M = 4093 slots (a prime) maps a hash of the client's address to a real server. Each server has
 * a preference order over all slots, a permutation given by offset = h1(server) mod M and skip = h2(server) mod
 * (M - 1) + 1: offset, offset + skip, offset + 2 skip, ... mod M. Populating walks the servers round after round
 * (list order, newest first); on its turn each server takes its next preferred slot still free, "turns" times in a
 * row, until all M slots are taken. turns is the server's last_weight / gcd of all last weights, shifted right so
 * that the largest is below 64 (rshift = max(0, fls(max / gcd) - 6)), and at least 1 for a server whose last weight
 * is not 0. Servers thus get slots in proportion to their weights, and removing one server only frees its own slots
 * for the others to fill: the clients of the other servers mostly keep theirs (about 1/N of the table moves in
 * theory; the Maglev paper measures a little more).
 *
 * The table is built from last_weight, the last weight above 0, so setting a weight to 0 (quiescing) does not
 * reshuffle the table: that server's slots become unusable. A client landing on an unusable server (weight 0 or
 * OVERLOAD) gets "no destination available", unless mh-fallback (flag-1) is set: then offsets 0..M-1 are tried, the
 * slot for offset o being h1(o' + port + address) mod M with o' = (o + ihash) mod M, and the first usable server
 * wins; an empty slot ends the search. mh-port (flag-2) adds the client's source port to the hashed value.
 *
 * The hashes are the kernel's: h1 and h2 are hsiphash (SipHash-1-3 on 64-bit Linux) of the 32-bit value
 * ntohs(port) + ntohl(address) (IPv6 addresses XOR-folded) under the fixed keys 2654435761 and 2654446892, so two
 * lvs4j directors with the same servers, in the same order with the same weights, build the same table. Every
 * change of the list or of a server rebuilds the table; a list of more than M servers keeps the previous table, as
 * the kernel's reassign fails with EINVAL.
 */
package org.lvs4j.scheduler.mh;

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

/** The {@code mh} scheduler. */
@Component(property = Scheduler.NAME + "=mh")
public class MaglevScheduler implements Scheduler {

    /** primes[CONFIG_IP_VS_MH_TAB_INDEX - 8] with the default index 12. */
    static final int SIZE = 4093;
    /** IP_VS_MH_TAB_BITS: CONFIG_IP_VS_MH_TAB_INDEX / 2. */
    static final int TAB_BITS = 6;
    static final long KEY1 = 2654435761L;
    static final long KEY2 = 2654446892L;

    @Override
    public SchedulerInstance newInstance(ServiceContext service) {
        return new Instance(service);
    }

    /** ip_vs_mh_hashkey with the given key. */
    static int hashKey(int addressWord, int port, int offset, long key) {
        return SipHash.hsiphash32(offset + port + addressWord, key, key);
    }

    static final class Instance implements SchedulerInstance {

        private final ServiceContext service;
        /** Replaced whole on every change, so a pick reads one consistent table without locking. */
        private volatile RealServer[] lookup = new RealServer[SIZE];

        Instance(ServiceContext service) {
            this.service = service;
        }

        @Override
        public void update(List<RealServer> servers, Change change) {
            if (servers.size() > SIZE) {
                return;
            }
            lookup = populate(servers);
        }

        /** The table, for tests. */
        RealServer[] table() {
            return lookup.clone();
        }

        static RealServer[] populate(List<RealServer> servers) {
            RealServer[] table = new RealServer[SIZE];
            int gcd = 0;
            int max = 0;
            for (RealServer d : servers) {
                int w = d.lastWeight();
                if (w > 0) {
                    gcd = gcd > 0 ? gcd(w, gcd) : w;
                }
                max = Math.max(max, w);
            }
            if (gcd < 1) {
                return table; // no server with a weight: every slot empty
            }
            int rshift = Math.max(0, (32 - Integer.numberOfLeadingZeros(max / gcd)) - TAB_BITS);
            int n = servers.size();
            int[] skip = new int[n];
            int[] perm = new int[n];
            int[] turns = new int[n];
            for (int i = 0; i < n; i++) {
                RealServer d = servers.get(i);
                int word = Hashing.addressWord(d.address());
                perm[i] = Integer.remainderUnsigned(hashKey(word, d.port(), 0, KEY1), SIZE);
                skip[i] = Integer.remainderUnsigned(hashKey(word, d.port(), 0, KEY2), SIZE - 1) + 1;
                int lw = d.lastWeight();
                int t = (lw / gcd) >> rshift;
                turns[i] = t != 0 ? t : (lw != 0 ? 1 : 0);
            }
            boolean[] taken = new boolean[SIZE];
            int filled = 0;
            int count = 0;
            while (true) {
                for (int i = 0; i < n; ) {
                    if (turns[i] < 1) {
                        i++;
                        continue;
                    }
                    int c = perm[i];
                    while (taken[c]) {
                        perm[i] += skip[i];
                        if (perm[i] >= SIZE) {
                            perm[i] -= SIZE;
                        }
                        c = perm[i];
                    }
                    taken[c] = true;
                    table[c] = servers.get(i);
                    if (++filled == SIZE) {
                        return table;
                    }
                    if (++count >= turns[i]) {
                        count = 0;
                        i++;
                    }
                }
            }
        }

        private static int gcd(int a, int b) {
            while (b != 0) {
                int t = a % b;
                a = b;
                b = t;
            }
            return a;
        }

        private static boolean unavailable(RealServer d) {
            return d.weight() <= 0 || d.overloaded();
        }

        @Override
        public RealServer pick(Flow flow) {
            RealServer[] t = lookup;
            int flags = service.config().schedulerFlags();
            int port = (flags & ServiceConfig.SCHED_FLAG_2) != 0 ? flow.sourcePort() : 0;
            int word = Hashing.addressWord(flow.sourceAddress());
            int ihash = Integer.remainderUnsigned(hashKey(word, port, 0, KEY1), SIZE);
            RealServer d = t[ihash];
            if (d == null || !unavailable(d)) {
                return d;
            }
            if ((flags & ServiceConfig.SCHED_FLAG_1) == 0) {
                return null;
            }
            for (int offset = 0; offset < SIZE; offset++) {
                int roffset = (offset + ihash) % SIZE;
                d = t[Integer.remainderUnsigned(hashKey(word, port, roffset, KEY1), SIZE)];
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
