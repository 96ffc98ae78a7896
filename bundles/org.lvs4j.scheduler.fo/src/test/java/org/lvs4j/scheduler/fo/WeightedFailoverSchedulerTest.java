package org.lvs4j.scheduler.fo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.lvs4j.scheduler.support.sim.Scans;
import org.lvs4j.scheduler.support.sim.SimulatedServer;
import org.lvs4j.scheduler.support.sim.SimulatedService;

/** fo decision vectors (SPEC-ipvs.md B0, B1), and agreement with the kernel's scan over random event sequences. */
class WeightedFailoverSchedulerTest {

    private final SimulatedService svc = new SimulatedService(new WeightedFailoverScheduler());

    @Test
    void highestWeightTakesEverythingThenTheNextTakesOver() {
        SimulatedServer primary = svc.add("primary", 10);
        SimulatedServer backup = svc.add("backup", 5);
        for (int i = 0; i < 5; i++) {
            assertEquals(primary, svc.pick());
            svc.bind(primary);
        }
        svc.weight(primary, 0);
        assertEquals(backup, svc.pick(), "quiesced primary: fail over");
        svc.weight(primary, 10);
        assertEquals(primary, svc.pick(), "back");
        svc.thresholds(primary, 5, 0);
        svc.bind(primary);
        assertEquals(backup, svc.pick(), "overloaded primary: fail over");
    }

    @Test
    void equalWeightsGoToTheMostRecentlyAddedServer() {
        svc.add("A", 3);
        SimulatedServer b = svc.add("B", 3);
        assertEquals(b, svc.pick());
    }

    @Test
    void nothingEligibleIsNoDestination() {
        svc.add("A", 0);
        assertNull(svc.pick());
    }

    @Test
    void agreesWithTheKernelScan() {
        int compared = 0;
        for (long seed = 1; seed <= 20; seed++) {
            compared += new SimulatedService(new WeightedFailoverScheduler()).compareWith(Scans::fo, seed, 3000);
        }
        assertTrue(compared > 15000, "picks compared: " + compared);
    }
}
