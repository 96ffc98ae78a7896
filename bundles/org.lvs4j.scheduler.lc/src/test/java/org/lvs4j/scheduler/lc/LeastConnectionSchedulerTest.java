package org.lvs4j.scheduler.lc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.lvs4j.scheduler.support.sim.Scans;
import org.lvs4j.scheduler.support.sim.SimulatedServer;
import org.lvs4j.scheduler.support.sim.SimulatedService;

/** lc decision vectors (SPEC-ipvs.md B0, B1), and agreement with the kernel's scan over random event sequences. */
class LeastConnectionSchedulerTest {

    private final SimulatedService svc = new SimulatedService(new LeastConnectionScheduler());

    @Test
    void tiesGoToTheMostRecentlyAddedServer() {
        svc.add("A", 1);
        svc.add("B", 1);
        SimulatedServer c = svc.add("C", 1);
        assertEquals(c, svc.pick());
    }

    @Test
    void leastOverheadWinsWhateverTheWeights() {
        SimulatedServer a = svc.add("A", 1);
        SimulatedServer b = svc.add("B", 100);
        SimulatedServer c = svc.add("C", 1);
        svc.counters(a, 0, 3);   // 3
        svc.counters(b, 1, 0);   // 256
        svc.counters(c, 0, 5);   // 5
        assertEquals(a, svc.pick());
        svc.counters(a, 0, 300); // 300 > 256
        assertEquals(c, svc.pick());
    }

    @Test
    void quiescentAndOverloadedServersAreSkipped() {
        SimulatedServer a = svc.add("A", 1);
        SimulatedServer b = svc.add("B", 1);
        svc.counters(a, 5, 0);
        svc.weight(b, 0);
        assertEquals(a, svc.pick(), "weight 0 takes nothing new, however idle");
        svc.thresholds(a, 5, 0);
        svc.bind(a);             // 6 connections >= -x 5: OVERLOAD
        assertNull(svc.pick(), "no destination available");
        svc.weight(b, 2);
        assertEquals(b, svc.pick());
    }

    @Test
    void agreesWithTheKernelScan() {
        int compared = 0;
        for (long seed = 1; seed <= 20; seed++) {
            compared += new SimulatedService(new LeastConnectionScheduler()).compareWith(Scans::lc, seed, 3000);
        }
        assertTrue(compared > 15000, "picks compared: " + compared);
    }
}
