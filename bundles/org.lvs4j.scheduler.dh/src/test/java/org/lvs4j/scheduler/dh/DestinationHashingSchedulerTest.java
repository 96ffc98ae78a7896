package org.lvs4j.scheduler.dh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.scheduler.support.sim.SimulatedServer;
import org.lvs4j.scheduler.support.sim.SimulatedService;

/**
 * dh by its fill rule and hash (SPEC-ipvs.md B1). hash_32(address, 8), worked out apart from the code: 192 for
 * 192.168.0.1, 34 for 192.168.0.2, 2 for 10.1.2.3.
 */
class DestinationHashingSchedulerTest {

    private static final int CLIENT = 0x0a000001;
    private static final int ORIGIN_1 = 0xc0a80001;
    private static final int ORIGIN_2 = 0xc0a80002;
    private static final int ORIGIN_3 = 0x0a010203;

    private final SimulatedService svc = new SimulatedService(new DestinationHashingScheduler());

    private RealServer pick(int destination) {
        return svc.pick(svc.flow(CLIENT, 1024, destination));
    }

    @Test
    void oneBucketPerServerRoundRobinWeightsIgnored() {
        SimulatedServer a = svc.add("A", 5);
        SimulatedServer b = svc.add("B", 1);
        SimulatedServer c = svc.add("C", 1);
        RealServer[] t = ((DestinationHashingScheduler.Instance) svc.instance()).table();
        for (int i = 0; i < 256; i++) {
            assertEquals(new RealServer[] {c, b, a}[i % 3], t[i], "bucket " + i);
        }
        assertEquals(c, pick(ORIGIN_1), "192 mod 3 = 0");
        assertEquals(b, pick(ORIGIN_2), "34 mod 3 = 1");
        assertEquals(a, pick(ORIGIN_3), "2 mod 3 = 2");
    }

    @Test
    void editsDoNotRefillButAddAndDeleteDo() {
        svc.add("A", 1);
        SimulatedServer b = svc.add("B", 1);
        SimulatedServer c = svc.add("C", 1);
        svc.weight(c, 0);
        assertNull(pick(ORIGIN_1), "C quiesced: no destination, no fallback");
        assertEquals(b, pick(ORIGIN_2), "the table did not move");
        svc.weight(c, 7);
        svc.remove(b);           // list C, A: 34 mod 2 = 0
        assertEquals(c, pick(ORIGIN_2));
    }

    @Test
    void overloadedServerIsNoDestination() {
        SimulatedServer a = svc.add("A", 1);
        svc.thresholds(a, 1, 0);
        svc.bind(a);
        assertNull(pick(ORIGIN_1));
    }
}
