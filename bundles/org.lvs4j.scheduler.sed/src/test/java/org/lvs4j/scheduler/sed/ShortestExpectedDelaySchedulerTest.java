package org.lvs4j.scheduler.sed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.lvs4j.scheduler.support.sim.Scans;
import org.lvs4j.scheduler.support.sim.SimulatedServer;
import org.lvs4j.scheduler.support.sim.SimulatedService;

/** sed decision vectors (SPEC-ipvs.md B0, B1), and agreement with the kernel's scan over random event sequences. */
class ShortestExpectedDelaySchedulerTest {

    private final SimulatedService svc = new SimulatedService(new ShortestExpectedDelayScheduler());

    @Test
    void inactiveConnectionsCostNothing() {
        SimulatedServer a = svc.add("A", 1);
        SimulatedServer b = svc.add("B", 1);
        svc.counters(a, 0, 100); // (0 + 1) / 1
        svc.counters(b, 1, 0);   // (1 + 1) / 1
        assertEquals(a, svc.pick());
    }

    @Test
    void expectedDelayIsActivePlusOneOverWeight() {
        SimulatedServer a = svc.add("A", 1);
        SimulatedServer b = svc.add("B", 3);
        svc.counters(b, 2, 0);   // 3 / 3 = 1, a: 1 / 1 = 1: a tie, B is newer
        assertEquals(b, svc.pick());
        svc.counters(b, 3, 0);   // 4 / 3 > 1
        assertEquals(a, svc.pick());
    }

    @Test
    void nothingEligibleIsNoDestination() {
        SimulatedServer a = svc.add("A", 0);
        assertNull(svc.pick());
        svc.weight(a, 1);
        assertEquals(a, svc.pick());
    }

    @Test
    void agreesWithTheKernelScan() {
        int compared = 0;
        for (long seed = 1; seed <= 20; seed++) {
            compared += new SimulatedService(new ShortestExpectedDelayScheduler()).compareWith(Scans::sed, seed, 3000);
        }
        assertTrue(compared > 15000, "picks compared: " + compared);
    }
}
