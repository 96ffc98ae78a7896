package org.lvs4j.scheduler.lblc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.lvs4j.scheduler.support.sim.SimulatedServer;
import org.lvs4j.scheduler.support.sim.SimulatedService;

/** lblc by cache reuse, the overload rule and the cache's collection (SPEC-ipvs.md B1). */
class LocalityBasedLeastConnectionSchedulerTest {

    private static final int CLIENT = 0x0a000001;
    private static final int ORIGIN_X = 0xc6336401;
    private static final int ORIGIN_Y = 0xc6336402;

    private final SimulatedService svc = new SimulatedService(new LocalityBasedLeastConnectionScheduler());

    private SimulatedServer pick(int destination) {
        return svc.pick(svc.flow(CLIENT, 1024, destination));
    }

    private int entries() {
        return ((LocalityBasedLeastConnectionScheduler.Instance) svc.instance()).entries();
    }

    private void connect(SimulatedServer s) {
        svc.bind(s);
        svc.establish(s);
    }

    @Test
    void aDestinationKeepsItsServerWhileOthersGoByWlc() {
        SimulatedServer a = svc.add("A", 1);
        SimulatedServer b = svc.add("B", 1);
        assertEquals(b, pick(ORIGIN_X), "no entry: wlc, ties to the newest");
        connect(b);
        assertEquals(b, pick(ORIGIN_X), "cached, and 1 active is not more than weight 1");
        assertEquals(a, pick(ORIGIN_Y), "another destination: wlc");
        assertEquals(2, entries());
    }

    @Test
    void overloadedCachedServerMovesOnlyWhenSomeServerIsLight() {
        SimulatedServer a = svc.add("A", 2);
        SimulatedServer b = svc.add("B", 1);
        svc.counters(a, 1, 0);
        assertEquals(b, pick(ORIGIN_X), "wlc: B 0 against A 256/2");
        svc.counters(b, 2, 0);
        assertEquals(b, pick(ORIGIN_X), "B has 2 active > weight 1, but no server is below half its weight");
        svc.weight(a, 4);
        assertEquals(a, pick(ORIGIN_X), "A: 1 * 2 < 4, so B counts as overloaded and wlc chooses again");
        assertEquals(a, pick(ORIGIN_X), "the entry now names A");
    }

    @Test
    void quiescedOrRemovedServerIsReplaced() {
        SimulatedServer a = svc.add("A", 1);
        SimulatedServer b = svc.add("B", 1);
        assertEquals(b, pick(ORIGIN_X));
        svc.weight(b, 0);
        assertEquals(a, pick(ORIGIN_X));
        svc.weight(b, 5);
        assertEquals(a, pick(ORIGIN_X), "the entry was rewritten to A");
        svc.remove(a);
        assertEquals(b, pick(ORIGIN_X));
        svc.remove(b);
        assertNull(pick(ORIGIN_X), "no destination available");
    }

    @Test
    void fullSweepEveryThirtyMinutesDropsEntriesOlderThanTheExpiration() {
        svc.sysctl("lblc_expiration", 600);
        svc.add("A", 1);
        pick(ORIGIN_X);
        for (int minute = 1; minute <= 29; minute++) {
            svc.advance(TimeUnit.MINUTES.toNanos(1));
            pick(ORIGIN_Y);
        }
        assertEquals(2, entries(), "29 checks: no full sweep yet");
        svc.advance(TimeUnit.MINUTES.toNanos(1));
        pick(ORIGIN_Y);
        assertEquals(1, entries(), "the 30th check sweeps: X unused for 30 minutes > 600 s, Y fresh");
    }

    @Test
    void aFullTableLosesEntriesIdleForSixMinutes() {
        svc.add("A", 1);
        int made = 17000;
        for (int i = 0; i < made; i++) {
            pick(0x0b000000 + i);
        }
        assertEquals(made, entries());
        svc.advance(TimeUnit.MINUTES.toNanos(7));
        pick(ORIGIN_X); // the first check runs before the lookup
        int goal = (made - 16384) * 4 / 3;
        int removed = made + 1 - entries();
        assertTrue(removed >= goal && removed < goal + 100,
                "removes about (entries - 16384) * 4 / 3 = " + goal + " bucket by bucket, removed " + removed);
        int left = entries();
        svc.advance(TimeUnit.MINUTES.toNanos(1));
        pick(ORIGIN_X);
        assertEquals(left, entries(), "back under 16384: the next check only counts, although all are idle");
    }
}
