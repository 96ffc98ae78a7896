/*
 * The "least loaded, first in list order on ties" answer of IPVS's connection-count schedulers, kept current instead
 * of recomputed.
 *
 * IPVS's lc, wlc, sed, nq, fo, ovf (and lblc's fallback) walk the whole real-server list for every new connection and
 * keep the first server that is strictly better than the best so far: the result is the best server by the
 * scheduler's measure, the earliest in list order among equals. The answer only changes when the list changes or
 * when one server's counters change, so this index keeps the eligible servers in a binary heap ordered by
 * (measure, list position): a pick reads the root in O(1), a counter change re-positions one server in O(log n), and
 * a list change (rare: an ipvsadm edit) rebuilds the heap in O(n). Nothing is allocated after a rebuild.
 *
 * Each server's values are copied into a snapshot when the director reports a change (SchedulerInstance.update and
 * countersChanged), and the heap is ordered by the snapshots, never by live counters that could move underneath it.
 * When events do not overlap this gives exactly the scan's answer. A lock serialises the index; the critical
 * sections are a few comparisons long.
 */
package org.lvs4j.scheduler.support;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.lvs4j.api.scheduler.Change;
import org.lvs4j.api.scheduler.Flow;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.api.scheduler.SchedulerInstance;

/**
 * An index of a service's real servers by load, for schedulers that pick the least loaded. It is itself a complete
 * {@link SchedulerInstance} for schedulers whose answer is "the best by this order".
 */
public final class LoadIndex implements SchedulerInstance {

    /** A scheduler's measure. Ties in {@link #compare} go to the server earlier in the list. */
    public interface Order {

        /** Whether the server may be picked at all (typically weight above 0 and not overloaded). */
        boolean eligible(Snapshot s);

        /** Negative when {@code a} is the better pick, positive when {@code b} is, 0 when the scan keeps the first. */
        int compare(Snapshot a, Snapshot b);
    }

    /** A server's values as last reported. */
    public static final class Snapshot {
        public final RealServer server;
        /** Index in the list, 0 being the head (the most recently added server). */
        public final int position;
        public int weight;
        public int activeConns;
        public int inactiveConns;
        public boolean overloaded;
        /** Index in the heap, or -1 while not eligible. */
        int slot = -1;

        Snapshot(RealServer server, int position) {
            this.server = server;
            this.position = position;
        }

        void read() {
            weight = server.weight();
            activeConns = server.activeConns();
            inactiveConns = server.inactiveConns();
            overloaded = server.overloaded();
        }

        /** IPVS's {@code ip_vs_dest_conn_overhead} as the schedulers hold it: an unsigned 32-bit number. */
        public long overhead() {
            return ((activeConns << 8) + inactiveConns) & 0xffffffffL;
        }

        @Override
        public String toString() {
            return server + "@" + position;
        }
    }

    /**
     * IPVS's wlc: least overhead / weight by cross-multiplication (overhead below 2^32 and weight below 2^31, so the
     * products fit in a long), over servers with weight above 0 and no OVERLOAD flag. wlc itself and the fallback of
     * lblc and lblcr.
     */
    public static final Order WLC = new Order() {
        @Override
        public boolean eligible(Snapshot s) {
            return s.weight > 0 && !s.overloaded;
        }

        @Override
        public int compare(Snapshot a, Snapshot b) {
            return Long.compare(a.overhead() * b.weight, b.overhead() * a.weight);
        }
    };

    private final Order order;
    /** Optional: snapshots for which this holds are counted (lblc's "some server is below half its weight"). */
    private final java.util.function.Predicate<Snapshot> counted;
    private Map<RealServer, Snapshot> byServer = Map.of();
    private Snapshot[] heap = new Snapshot[0];
    private int size;
    private int count;

    public LoadIndex(Order order) {
        this(order, null);
    }

    /** An index that also counts the servers for which {@code counted} holds. */
    public LoadIndex(Order order, java.util.function.Predicate<Snapshot> counted) {
        this.order = order;
        this.counted = counted;
    }

    /** The list changed: index it again, in its order. */
    public synchronized void rebuild(List<RealServer> servers) {
        rebuildUnlocked(servers);
    }

    /** A server's counters or overload flag changed; servers not in the list are ignored. */
    public synchronized void refresh(RealServer server) {
        refreshUnlocked(server);
    }

    /** The best eligible server, or null when none is. */
    public synchronized RealServer best() {
        return size == 0 ? null : heap[0].server;
    }

    // Unlocked variants, for holders (lblc, lblcr) that serialise on their own lock already.

    void rebuildUnlocked(List<RealServer> servers) {
        Map<RealServer, Snapshot> map = new HashMap<>(servers.size() * 2);
        Snapshot[] h = new Snapshot[servers.size()];
        int n = 0;
        int c = 0;
        for (int i = 0; i < servers.size(); i++) {
            Snapshot s = new Snapshot(servers.get(i), i);
            s.read();
            map.put(s.server, s);
            if (counted != null && counted.test(s)) {
                c++;
            }
            if (order.eligible(s)) {
                s.slot = n;
                h[n++] = s;
            }
        }
        byServer = map;
        heap = h;
        size = n;
        count = c;
        for (int i = (n >>> 1) - 1; i >= 0; i--) {
            siftDown(i);
        }
    }

    void refreshUnlocked(RealServer server) {
        Snapshot s = byServer.get(server);
        if (s == null) {
            return;
        }
        if (counted != null && counted.test(s)) {
            count--;
        }
        s.read();
        if (counted != null && counted.test(s)) {
            count++;
        }
        boolean eligible = order.eligible(s);
        if (s.slot < 0) {
            if (eligible) {
                s.slot = size;
                heap[size++] = s;
                siftUp(s.slot);
            }
        } else if (!eligible) {
            remove(s.slot);
        } else {
            siftUp(s.slot);
            siftDown(s.slot);
        }
    }

    @Override
    public void update(List<RealServer> servers, Change change) {
        rebuild(servers);
    }

    @Override
    public void countersChanged(RealServer server) {
        refresh(server);
    }

    @Override
    public RealServer pick(Flow flow) {
        return best();
    }

    RealServer bestUnlocked() {
        return size == 0 ? null : heap[0].server;
    }

    /** Servers in the list for which the counting predicate holds. */
    int countUnlocked() {
        return count;
    }

    /** Whether the server is in the list. */
    boolean containsUnlocked(RealServer server) {
        return byServer.containsKey(server);
    }

    private boolean better(Snapshot a, Snapshot b) {
        int c = order.compare(a, b);
        return c < 0 || (c == 0 && a.position < b.position);
    }

    private void remove(int i) {
        Snapshot gone = heap[i];
        Snapshot last = heap[--size];
        heap[size] = null;
        gone.slot = -1;
        if (i < size) {
            heap[i] = last;
            last.slot = i;
            siftUp(i);
            siftDown(last.slot);
        }
    }

    private void siftUp(int i) {
        Snapshot x = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Snapshot p = heap[parent];
            if (!better(x, p)) {
                break;
            }
            heap[i] = p;
            p.slot = i;
            i = parent;
        }
        heap[i] = x;
        x.slot = i;
    }

    private void siftDown(int i) {
        Snapshot x = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Snapshot c = heap[child];
            int right = child + 1;
            if (right < size && better(heap[right], c)) {
                child = right;
                c = heap[right];
            }
            if (!better(c, x)) {
                break;
            }
            heap[i] = c;
            c.slot = i;
            i = child;
        }
        heap[i] = x;
        x.slot = i;
    }
}
