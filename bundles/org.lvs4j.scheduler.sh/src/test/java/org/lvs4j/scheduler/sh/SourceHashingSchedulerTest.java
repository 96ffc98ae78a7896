package org.lvs4j.scheduler.sh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.scheduler.support.sim.SimulatedServer;
import org.lvs4j.scheduler.support.sim.SimulatedService;

/**
 * sh by its fill rule and hash (SPEC-ipvs.md B1). Expected buckets are hash_32 values worked out apart from the code:
 * python3 -c "print(((v * 0x61C88647) & 0xffffffff) >> 24)" gives 192 for 192.168.0.1 (0xc0a80001), 34 for
 * 192.168.0.2, 2 for 10.1.2.3, and with sh-port 226 for 192.168.0.1 + 1024, 68 for + 1025, 100 for + 40000.
 */
class SourceHashingSchedulerTest {

    private static final int CLIENT_1 = 0xc0a80001;
    private static final int CLIENT_2 = 0xc0a80002;
    private static final int CLIENT_3 = 0x0a010203;

    private SimulatedService svc = new SimulatedService(new SourceHashingScheduler());

    private RealServer[] table() {
        return ((SourceHashingScheduler.Instance) svc.instance()).table();
    }

    /** A(3), B(1), C(2) added in that order: list C, B, A, so the table repeats C C B A A A. */
    private SimulatedServer[] threeServers() {
        SimulatedServer a = svc.add("A", 3);
        SimulatedServer b = svc.add("B", 1);
        SimulatedServer c = svc.add("C", 2);
        return new SimulatedServer[] {a, b, c};
    }

    @Test
    void bucketsFollowWeightsInListOrder() {
        SimulatedServer[] s = threeServers();
        RealServer[] t = table();
        List<RealServer> cycle = List.of(s[2], s[2], s[1], s[0], s[0], s[0]);
        for (int i = 0; i < 256; i++) {
            assertEquals(cycle.get(i % 6), t[i], "bucket " + i);
        }
    }

    @Test
    void weightZeroStillTakesOneBucketAndLargeWeightsStarveTheTail() {
        SimulatedServer a = svc.add("A", 0);
        SimulatedServer b = svc.add("B", 200);
        SimulatedServer c = svc.add("C", 200);
        RealServer[] t = table();
        assertEquals(c, t[0]);
        assertEquals(c, t[199]);
        assertEquals(b, t[200]);
        assertEquals(b, t[255], "B gets only 56 buckets and A none");
        svc.weight(b, 0);
        svc.weight(c, 1);
        t = table();
        assertEquals(List.of(c, b, a, c, b, a), List.of(t[0], t[1], t[2], t[3], t[4], t[5]));
    }

    @Test
    void aClientKeepsItsServer() {
        SimulatedServer[] s = threeServers();
        for (int i = 0; i < 3; i++) {
            assertEquals(s[2], svc.pick(svc.flow(CLIENT_1, 1024 + i)), "bucket 192 = 0 mod 6: C");
            assertEquals(s[0], svc.pick(svc.flow(CLIENT_2, 2000 + i)), "bucket 34 = 4 mod 6: A");
            assertEquals(s[1], svc.pick(svc.flow(CLIENT_3, 3000 + i)), "bucket 2: B");
        }
    }

    @Test
    void shPortHashesTheSourcePortToo() {
        svc = new SimulatedService(new SourceHashingScheduler(), ServiceConfig.SCHED_FLAG_2);
        SimulatedServer[] s = threeServers();
        assertEquals(s[0], svc.pick(svc.flow(CLIENT_1, 1024)), "bucket 226 = 4 mod 6: A");
        assertEquals(s[1], svc.pick(svc.flow(CLIENT_1, 1025)), "bucket 68 = 2 mod 6: B");
        assertEquals(s[0], svc.pick(svc.flow(CLIENT_1, 40000)), "bucket 100 = 4 mod 6: A");
    }

    @Test
    void unusableServerIsNoDestinationWithoutFallback() {
        SimulatedServer[] s = threeServers();
        svc.thresholds(s[2], 1, 0);
        svc.bind(s[2]); // C overloaded; the table stays
        assertNull(svc.pick(svc.flow(CLIENT_1, 1024)));
        assertEquals(s[0], svc.pick(svc.flow(CLIENT_2, 1024)), "other clients are not affected");
    }

    @Test
    void shFallbackProbesFromTwiceTheHash() {
        svc = new SimulatedService(new SourceHashingScheduler(), ServiceConfig.SCHED_FLAG_1);
        SimulatedServer[] s = threeServers();
        svc.thresholds(s[2], 1, 0);
        svc.bind(s[2]);
        // ihash 192; offset 0 probes (0 + 192 + 192) & 255 = 128, 128 mod 6 = 2: B.
        assertEquals(s[1], svc.pick(svc.flow(CLIENT_1, 1024)));
        svc.weight(s[1], 0);
        svc.weight(s[0], 0);
        // Now every server is unusable: the probe runs out.
        assertNull(svc.pick(svc.flow(CLIENT_1, 1024)));
    }

    @Test
    void emptyServiceIsNoDestination() {
        assertNull(svc.pick(svc.flow(CLIENT_1, 1)));
    }
}
