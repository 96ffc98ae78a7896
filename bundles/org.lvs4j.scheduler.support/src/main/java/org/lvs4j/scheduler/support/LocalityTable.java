/*
 * The destination-address cache of IPVS's lblc and lblcr, with its garbage collection.
 *
 * Entries map a packet's destination address to what the scheduler remembers for it (a server for lblc, a server set
 * for lblcr). The kernel keeps them in 1024 hash buckets (hash_32 of the address, IPv6 XOR-folded), each a list with
 * the newest entry first, and collects them from a timer every 60 s:
 *
 *  - every 30th run (counter starts at 1, so first after 30 minutes) a full sweep removes, bucket by bucket from
 *    the rover onwards, every entry unused for the expiration time (sysctl lblc_expiration / lblcr_expiration,
 *    24 h by default); the counter restarts at 1;
 *  - otherwise, if there are more entries than 16 per bucket (16384), the sweep removes entries unused for 6
 *    minutes until (entries - 16384) * 4 / 3 of them are gone (at most 8192), checking the goal after each bucket;
 *    the counter is not advanced on this path;
 *  - otherwise the counter is advanced.
 *
 * Both sweeps start at the bucket after the rover and leave the rover where they stopped.
 *
 * lvs4j runs the timer from the service's clock instead of a thread: every lookup first runs the checks that are due
 * (a long idle spell counts as one run, as a stopped timer would not catch up either), so a scheduler bundle owns no
 * thread and tests drive time exactly.
 */
package org.lvs4j.scheduler.support;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

/** lblc's and lblcr's cache. Not thread-safe: the scheduler instance serialises access. */
public final class LocalityTable<E extends LocalityTable.Entry> {

    public static final int BITS = 10;
    public static final int SIZE = 1 << BITS;
    public static final int MAX_SIZE = SIZE * 16;
    static final long CHECK_INTERVAL = TimeUnit.SECONDS.toNanos(60);
    static final long ENTRY_TIMEOUT = TimeUnit.SECONDS.toNanos(6 * 60);
    static final int COUNT_FOR_FULL_EXPIRATION = 30;

    /** What the cache holds for one destination address. */
    public abstract static class Entry {
        final InetAddress address;
        Entry next;
        /** When the entry was last looked up (the service clock, ns). */
        public long lastUse;

        protected Entry(InetAddress address, long now) {
            this.address = address;
            this.lastUse = now;
        }

        public InetAddress address() {
            return address;
        }

        /** The entry is dropped: release what it holds. */
        protected void dropped() {
        }
    }

    private final Entry[] buckets = new Entry[SIZE];
    private int entries;
    private int rover;
    private int counter = 1;
    private long nextCheck;

    /** A table whose first check runs 60 s after {@code now}. */
    public LocalityTable(long now) {
        nextCheck = now + CHECK_INTERVAL;
    }

    public static int bucket(InetAddress address) {
        return Hashing.hash32(Hashing.addressWord(address), BITS);
    }

    /** Runs the collection when it is due; {@code expirationSeconds} reads the sysctl (only then). */
    public void tick(long now, java.util.function.LongSupplier expirationSeconds) {
        if (now - nextCheck < 0) {
            return;
        }
        check(now, TimeUnit.SECONDS.toNanos(expirationSeconds.getAsLong()));
        nextCheck = now + CHECK_INTERVAL;
    }

    @SuppressWarnings("unchecked")
    public E get(InetAddress address) {
        for (Entry e = buckets[bucket(address)]; e != null; e = e.next) {
            if (e.address.equals(address)) {
                return (E) e;
            }
        }
        return null;
    }

    /** Adds an entry at the head of its bucket. */
    public void add(E entry) {
        int b = bucket(entry.address);
        entry.next = buckets[b];
        buckets[b] = entry;
        entries++;
    }

    /** Removes an entry that is in the table. */
    public void remove(E entry) {
        int b = bucket(entry.address);
        Entry prev = null;
        for (Entry e = buckets[b]; e != null; prev = e, e = e.next) {
            if (e == entry) {
                if (prev == null) {
                    buckets[b] = e.next;
                } else {
                    prev.next = e.next;
                }
                entries--;
                e.dropped();
                return;
            }
        }
    }

    public int size() {
        return entries;
    }

    /** Drops everything (the service is gone). */
    public void clear() {
        for (int i = 0; i < SIZE; i++) {
            for (Entry e = buckets[i]; e != null; e = e.next) {
                e.dropped();
            }
            buckets[i] = null;
        }
        entries = 0;
    }

    /** One run of ip_vs_lblc_check_expire / ip_vs_lblcr_check_expire. */
    private void check(long now, long expiration) {
        if (counter % COUNT_FOR_FULL_EXPIRATION == 0) {
            sweep(now, expiration, Integer.MAX_VALUE);
            counter = 1;
            return;
        }
        if (entries <= MAX_SIZE) {
            counter++;
            return;
        }
        int goal = (entries - MAX_SIZE) * 4 / 3;
        goal = Math.min(goal, MAX_SIZE / 2);
        sweep(now, ENTRY_TIMEOUT, goal);
    }

    /** Removes entries unused for {@code age}, bucket by bucket after the rover, until {@code goal} are gone. */
    private void sweep(long now, long age, int goal) {
        int j = rover;
        for (int i = 0; i < SIZE; i++) {
            j = (j + 1) & (SIZE - 1);
            Entry prev = null;
            for (Entry e = buckets[j]; e != null; e = e.next) {
                if (now - (e.lastUse + age) < 0) {
                    prev = e;
                    continue;
                }
                if (prev == null) {
                    buckets[j] = e.next;
                } else {
                    prev.next = e.next;
                }
                entries--;
                goal--;
                e.dropped();
            }
            if (goal <= 0) {
                break;
            }
        }
        rover = j;
    }
}
