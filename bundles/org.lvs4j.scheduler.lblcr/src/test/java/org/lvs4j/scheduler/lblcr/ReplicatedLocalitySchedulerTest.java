package org.lvs4j.scheduler.lblcr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.scheduler.support.sim.SimulatedServer;
import org.lvs4j.scheduler.support.sim.SimulatedService;

/** lblcr by its server sets: growth on overload, the least loaded member, shrinking after the expiration (B1). */
class ReplicatedLocalitySchedulerTest {

    private static final int CLIENT = 0x0a000001;
    private static final int ORIGIN_X = 0xc6336401;

    private final SimulatedService svc = new SimulatedService(new ReplicatedLocalityScheduler());

    private SimulatedServer pick() {
        return svc.pick(svc.flow(CLIENT, 1024, ORIGIN_X));
    }

    private List<RealServer> set() throws Exception {
        return ((ReplicatedLocalityScheduler.Instance) svc.instance())
                .members(InetAddress.getByAddress(new byte[] {(byte) 198, 51, 100, 1}));
    }

    @Test
    void theSetGrowsWhenItsBestMemberIsOverloadedAndShrinksAfterTheExpiration() throws Exception {
        SimulatedServer a = svc.add("A", 4);
        SimulatedServer b = svc.add("B", 1);
        assertEquals(b, pick(), "no entry: wlc over all servers");
        assertEquals(List.of(b), set());
        svc.counters(b, 2, 0);   // 2 > weight 1, and A (0 * 2 < 4) is light: B is overloaded
        assertEquals(a, pick(), "wlc chooses A, which joins the set");
        assertEquals(List.of(a, b), set());
        svc.counters(a, 1, 0);
        assertEquals(a, pick(), "the set's least loaded member: A 256/4 against B 512/1");

        svc.sysctl("lblcr_expiration", 3600);
        svc.advance(TimeUnit.SECONDS.toNanos(3601));
        assertEquals(a, pick(), "A is still the pick");
        assertEquals(List.of(a), set(), "unchanged for longer than lblcr_expiration: the most loaded member (B) left");
    }

    @Test
    void unavailableMembersAreSkipped() throws Exception {
        SimulatedServer a = svc.add("A", 1);
        SimulatedServer b = svc.add("B", 1);
        assertEquals(b, pick());
        svc.remove(b);
        assertEquals(a, pick(), "B left the list: not a candidate; wlc adds A");
        assertEquals(List.of(a, b), set());
        svc.remove(a);
        assertNull(pick());
    }
}
