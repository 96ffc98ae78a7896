package org.lvs4j.scheduler.wlc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.lvs4j.scheduler.support.sim.Scans;
import org.lvs4j.scheduler.support.sim.SimulatedServer;
import org.lvs4j.scheduler.support.sim.SimulatedService;

/** wlc decision vectors (SPEC-ipvs.md B0, B1), and agreement with the kernel's scan over random event sequences. */
class WeightedLeastConnectionSchedulerTest {

    private final SimulatedService svc = new SimulatedService(new WeightedLeastConnectionScheduler());

    @Test
    void specExampleWeightThreeWithTwoActiveBeatsWeightOneWithOne() {
        SimulatedServer s1 = svc.add("S1", 1);
        SimulatedServer s2 = svc.add("S2", 3);
        svc.counters(s1, 1, 0); // 256 * 3 = 768
        svc.counters(s2, 2, 0); // 512 * 1 = 512
        assertEquals(s2, svc.pick());
    }

    @Test
    void equalRatiosGoToTheMostRecentlyAddedServer() {
        SimulatedServer a = svc.add("A", 2);
        SimulatedServer b = svc.add("B", 1);
        svc.counters(a, 2, 0); // 512 / 2
        svc.counters(b, 1, 0); // 256 / 1
        assertEquals(b, svc.pick());
        svc.remove(b);
        assertEquals(a, svc.pick());
    }

    @Test
    void connectionsSpreadByWeight() {
        SimulatedServer a = svc.add("A", 3);
        SimulatedServer b = svc.add("B", 1);
        for (int i = 0; i < 8; i++) {
            SimulatedServer s = svc.pick();
            svc.bind(s);
            svc.establish(s);
        }
        assertEquals(6, a.activeConns());
        assertEquals(2, b.activeConns());
    }

    @Test
    void quiescentAndOverloadedServersAreSkipped() {
        SimulatedServer a = svc.add("A", 1);
        SimulatedServer b = svc.add("B", 0);
        assertEquals(a, svc.pick());
        svc.thresholds(a, 1, 0);
        svc.bind(a);
        assertNull(svc.pick());
        svc.unbind(a, false);   // 0 * 4 < 1 * 3: OVERLOAD cleared
        assertEquals(a, svc.pick());
        svc.weight(b, 1);
        assertEquals(b, svc.pick());
    }

    @Test
    void agreesWithTheKernelScan() {
        int compared = 0;
        for (long seed = 1; seed <= 20; seed++) {
            compared += new SimulatedService(new WeightedLeastConnectionScheduler()).compareWith(Scans::wlc, seed,
                    3000);
        }
        assertTrue(compared > 15000, "picks compared: " + compared);
    }
}
