package org.lvs4j.scheduler.ovf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.lvs4j.scheduler.support.sim.Scans;
import org.lvs4j.scheduler.support.sim.SimulatedServer;
import org.lvs4j.scheduler.support.sim.SimulatedService;

/** ovf decision vectors (SPEC-ipvs.md B0, B1), and agreement with the kernel's scan over random event sequences. */
class WeightedOverflowSchedulerTest {

    private final SimulatedService svc = new SimulatedService(new WeightedOverflowScheduler());

    @Test
    void overflowsOnceActiveConnectionsExceedTheWeight() {
        SimulatedServer big = svc.add("big", 2);
        SimulatedServer small = svc.add("small", 1);
        svc.counters(big, 2, 0);
        assertEquals(big, svc.pick(), "active == weight is still eligible");
        svc.counters(big, 3, 0);
        assertEquals(small, svc.pick(), "active > weight: the next weight takes it");
        svc.counters(small, 2, 0);
        assertNull(svc.pick(), "both over their weight");
        svc.counters(big, 0, 40);
        assertEquals(big, svc.pick(), "inactive connections do not count");
    }

    @Test
    void equalWeightsGoToTheMostRecentlyAddedServer() {
        svc.add("A", 3);
        SimulatedServer b = svc.add("B", 3);
        assertEquals(b, svc.pick());
    }

    @Test
    void agreesWithTheKernelScan() {
        int compared = 0;
        for (long seed = 1; seed <= 20; seed++) {
            compared += new SimulatedService(new WeightedOverflowScheduler()).compareWith(Scans::ovf, seed, 3000);
        }
        assertTrue(compared > 15000, "picks compared: " + compared);
    }
}
