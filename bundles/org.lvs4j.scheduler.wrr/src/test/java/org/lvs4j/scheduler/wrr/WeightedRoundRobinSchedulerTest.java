package org.lvs4j.scheduler.wrr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.lvs4j.api.scheduler.Change;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.api.scheduler.SchedulerInstance;

/** IPVS wrr vectors (SPEC-ipvs.md B1), simulated from ip_vs_wrr.c. */
class WeightedRoundRobinSchedulerTest {

    static final class Server implements RealServer {
        final String name;
        int weight;
        boolean overloaded;

        Server(String name, int weight) {
            this.name = name;
            this.weight = weight;
        }

        @Override
        public InetAddress address() {
            return InetAddress.getLoopbackAddress();
        }

        @Override
        public int port() {
            return 80;
        }

        @Override
        public int weight() {
            return weight;
        }

        @Override
        public int lastWeight() {
            return weight;
        }

        @Override
        public int activeConns() {
            return 0;
        }

        @Override
        public int inactiveConns() {
            return 0;
        }

        @Override
        public boolean overloaded() {
            return overloaded;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final SchedulerInstance wrr = new WeightedRoundRobinScheduler().newInstance(null);
    private final List<RealServer> list = new ArrayList<>();

    {
        wrr.update(List.of(), Change.RESET); // the director creates the instance on the empty service
    }

    private Server add(String name, int weight) {
        Server s = new Server(name, weight);
        list.add(0, s);
        wrr.update(List.copyOf(list), new Change(Change.Kind.ADD, s));
        return s;
    }

    private void edit(Server s, int weight) {
        s.weight = weight;
        wrr.update(List.copyOf(list), new Change(Change.Kind.EDIT, s));
    }

    private String picks(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            RealServer r = wrr.pick(null);
            b.append(r == null ? "-" : r.toString());
        }
        return b.toString();
    }

    @Test
    void firstLapThenTheSteadyCycle() {
        add("A", 4);
        add("B", 3);
        add("C", 2);
        assertEquals("CBA", picks(3), "cw is 1 after the adds: every server once");
        assertEquals("ABACBACBA" + "ABACBACBA", picks(18));
    }

    /** A scheduler instance created on an existing list, given head first (IPVS's init_service). */
    private static String fresh(int n, Server... headFirst) {
        SchedulerInstance w = new WeightedRoundRobinScheduler().newInstance(null);
        w.update(List.of(headFirst), Change.RESET);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(w.pick(null));
        }
        return b.toString();
    }

    @Test
    void specVectorsInKernelListOrder() {
        assertEquals("AABABCABC" + "AABABCABC",
                fresh(18, new Server("A", 4), new Server("B", 3), new Server("C", 2)));
        assertEquals("AAB" + "AAB" + "AAB", fresh(9, new Server("A", 4), new Server("B", 2)));
        assertEquals("AAAAABC" + "AAAAABC", fresh(14, new Server("A", 5), new Server("B", 1), new Server("C", 1)));
    }

    @Test
    void commonDivisorAfterAdds() {
        add("A", 4);
        add("B", 2); // list B, A; di 2, mw 3, cw stays 1
        assertEquals("BA", picks(2));
        assertEquals("ABA" + "ABA", picks(6), "two A for each B");
    }

    @Test
    void freshInstanceOnAFullListStartsAtTheMaximum() {
        SchedulerInstance fresh = new WeightedRoundRobinScheduler().newInstance(null);
        Server a = new Server("A", 4);
        Server b = new Server("B", 3);
        Server c = new Server("C", 2);
        fresh.update(List.of(c, b, a), Change.RESET); // a scheduler registered for an existing service
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            s.append(fresh.pick(null));
        }
        assertEquals("ABACBACBA", s.toString());
    }

    @Test
    void weightZeroAndOverloadAreSkipped() {
        Server a = add("A", 3);
        Server b = add("B", 3);
        picks(2);
        edit(b, 0);
        assertEquals("AAAA", picks(4));
        a.overloaded = true;
        assertNull(wrr.pick(null), "all overloaded: no destination");
        a.overloaded = false;
        edit(a, 0);
        assertNull(wrr.pick(null), "all weight 0: no destination");
        edit(b, 2);
        assertEquals("BB", picks(2));
    }

    @Test
    void threeTwoOneGivesThreeTwoOne() {
        add("demo-1", 3);
        add("demo-2", 2);
        add("demo-3", 1);
        picks(3);
        String cycle = picks(600);
        assertEquals(300, cycle.chars().filter(ch -> ch == '1').count());
        assertEquals(200, cycle.chars().filter(ch -> ch == '2').count());
        assertEquals(100, cycle.chars().filter(ch -> ch == '3').count());
    }
}
