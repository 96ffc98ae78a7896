package org.lvs4j.scheduler.nq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.lvs4j.scheduler.support.sim.Scans;
import org.lvs4j.scheduler.support.sim.SimulatedServer;
import org.lvs4j.scheduler.support.sim.SimulatedService;

/** nq decision vectors (SPEC-ipvs.md B0, B1), and agreement with the kernel's scan over random event sequences. */
class NeverQueueSchedulerTest {

    private final SimulatedService svc = new SimulatedService(new NeverQueueScheduler());

    @Test
    void firstIdleServerWinsWhateverItsWeight() {
        SimulatedServer a = svc.add("A", 1);
        SimulatedServer b = svc.add("B", 100);
        SimulatedServer c = svc.add("C", 1);
        svc.counters(b, 1, 0);
        svc.counters(c, 0, 50);  // inactive connections do not make a server busy
        assertEquals(c, svc.pick(), "C is idle and first in the list");
        svc.counters(c, 1, 0);
        assertEquals(a, svc.pick(), "A is the only idle one");
    }

    @Test
    void whenAllAreBusySedDecides() {
        SimulatedServer a = svc.add("A", 1);
        SimulatedServer b = svc.add("B", 4);
        svc.counters(a, 1, 0);   // 2 / 1
        svc.counters(b, 5, 0);   // 6 / 4
        assertEquals(b, svc.pick());
        svc.counters(b, 7, 0);   // 8 / 4 = 2 / 1: tie, B is newer
        assertEquals(b, svc.pick());
        svc.counters(b, 8, 0);
        assertEquals(a, svc.pick());
    }

    @Test
    void agreesWithTheKernelScan() {
        int compared = 0;
        for (long seed = 1; seed <= 20; seed++) {
            compared += new SimulatedService(new NeverQueueScheduler()).compareWith(Scans::nq, seed, 3000);
        }
        assertTrue(compared > 15000, "picks compared: " + compared);
    }
}
