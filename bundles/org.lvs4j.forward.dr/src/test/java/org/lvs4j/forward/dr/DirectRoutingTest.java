package org.lvs4j.forward.dr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.lvs4j.packet.testing.Frames.OFF;
import static org.lvs4j.packet.testing.Frames.ip;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;
import org.lvs4j.packet.spi.Packet;
import org.lvs4j.packet.spi.Verdict;
import org.lvs4j.packet.testing.Frames;

/** Direct routing changes the Ethernet addresses and nothing else. */
class DirectRoutingTest {

    @Test
    void onlyTheMacAddressesChange() {
        long directorMac = 0x02_99_00_00_00_02L;
        long rsMac = 0x02_99_00_00_00_0bL;
        MemorySegment b = Frames.buffer();
        int len = Frames.tcp(b, directorMac, 0x02_99_00_00_00_0aL, ip("10.99.0.10"), 40000, ip("10.99.0.100"), 80,
                Frames.TCP_SYN, 0);
        byte[] ipBefore = b.asSlice(OFF + 14, len - 14).toArray(ValueLayout.JAVA_BYTE);
        Packet p = new Packet();
        p.frame(b, OFF, len, OFF + 34, Packet.IPPROTO_TCP, -1);
        p.connection(ip("10.99.0.10"), 40000, ip("10.99.0.100"), 80, ip("10.99.1.11"), 80);
        p.route(rsMac, directorMac, ip("10.99.1.2"), 1500);
        DirectRouting dr = new DirectRouting();
        assertEquals(Verdict.SEND, dr.forward(p));
        assertEquals(OFF, p.start());
        assertEquals(len, p.length());
        assertEquals(rsMac, Frames.mac(b, OFF));
        assertEquals(directorMac, Frames.mac(b, OFF + 6));
        assertEquals(-1L, MemorySegment.ofArray(ipBefore).mismatch(b.asSlice(OFF + 14, len - 14)));
        assertEquals(Verdict.DROP, dr.reply(p), "replies never pass a DR director");
    }
}
