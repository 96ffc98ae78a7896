package org.lvs4j.scheduler.rr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.lvs4j.api.scheduler.Change;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.api.scheduler.SchedulerInstance;

/** IPVS rr vectors (SPEC-ipvs.md B0-B1). */
class RoundRobinSchedulerTest {

    /** A real server with settable weight and overload, named for readable vectors. */
    static final class Server implements RealServer {
        final String name;
        int weight = 1;
        boolean overloaded;

        Server(String name) {
            this.name = name;
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

    private final SchedulerInstance rr = new RoundRobinScheduler().newInstance(null);
    private final List<RealServer> list = new ArrayList<>();

    private Server add(String name) {
        Server s = new Server(name);
        list.add(0, s);
        rr.update(List.copyOf(list), new Change(Change.Kind.ADD, s));
        return s;
    }

    private void remove(RealServer s) {
        list.remove(s);
        rr.update(List.copyOf(list), new Change(Change.Kind.REMOVE, s));
    }

    private String picks(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            RealServer r = rr.pick(null);
            b.append(r == null ? "-" : r.toString());
        }
        return b.toString();
    }

    @Test
    void newestFirstThenAround() {
        add("A");
        add("B");
        add("C");
        assertEquals("CBACBA", picks(6));
    }

    @Test
    void skipsWeightZeroAndOverloaded() {
        Server a = add("A");
        Server b = add("B");
        add("C");
        b.weight = 0;
        assertEquals("CACA", picks(4));
        a.overloaded = true;
        assertEquals("CC", picks(2));
    }

    @Test
    void noDestinationWhenNothingQualifies() {
        Server a = add("A");
        a.weight = 0;
        assertNull(rr.pick(null));
        a.weight = 1;
        assertEquals("A", picks(1));
    }

    @Test
    void additionsAndRemovalsKeepTheCursor() {
        add("A");
        Server b = add("B");
        add("C");
        assertEquals("CB", picks(2)); // cursor on B
        add("D"); // list D C B A
        assertEquals("AD", picks(2));
        remove(b); // cursor on D, unaffected
        assertEquals("CA", picks(2));
        remove(list.get(list.size() - 1)); // remove A, the cursor: it moves to C (before A)
        assertEquals("DC", picks(2));
    }
}
