package org.lvs4j.forward.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lvs4j.packet.testing.Frames.OFF;
import static org.lvs4j.packet.testing.Frames.ip;
import static org.lvs4j.packet.testing.Frames.u16;
import static org.lvs4j.packet.testing.Frames.u32;

import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;
import org.lvs4j.packet.spi.Packet;
import org.lvs4j.packet.spi.Verdict;
import org.lvs4j.packet.testing.Frames;

/** IPIP encapsulation in the headroom, and the MTU rule for the 20 bytes it adds. */
class TunnelingTest {

    static final long CLIENT_MAC = 0x02_99_00_00_00_0aL;
    static final long DIRECTOR_MAC = 0x02_99_00_00_00_02L;
    static final long RS_MAC = 0x02_99_00_00_00_0bL;
    static final int CLIENT = ip("10.99.0.10");
    static final int VIP = ip("10.99.0.100");
    static final int RS = ip("10.99.1.11");
    static final int DIRECTOR = ip("10.99.1.2");

    private final Tunneling tun = new Tunneling();
    private final Packet p = new Packet();

    private MemorySegment segment(int payload, int mtu) {
        MemorySegment b = Frames.buffer();
        int len = Frames.tcp(b, DIRECTOR_MAC, CLIENT_MAC, CLIENT, 40000, VIP, 80, Frames.TCP_ACK, payload);
        p.frame(b, OFF, len, OFF + 34, Packet.IPPROTO_TCP, -1);
        p.connection(CLIENT, 40000, VIP, 80, RS, 80);
        p.route(RS_MAC, DIRECTOR_MAC, DIRECTOR, mtu);
        return b;
    }

    @Test
    void thePacketTravelsUnchangedInsideAnIpipHeader() {
        MemorySegment b = segment(100, 1500);
        MemorySegment before = MemorySegment.ofArray(b.asSlice(OFF + 14, 140).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        assertEquals(Verdict.SEND, tun.forward(p));
        int start = p.start();
        assertEquals(OFF - 20, start);
        assertEquals(14 + 20 + 140, p.length());
        assertEquals(RS_MAC, Frames.mac(b, start));
        assertEquals(0x0800, u16(b, start + 12));
        int outer = start + 14;
        assertEquals(0x45, b.get(java.lang.foreign.ValueLayout.JAVA_BYTE, outer) & 0xff);
        assertEquals(160, u16(b, outer + 2));
        assertEquals(0x4000, u16(b, outer + 6) & 0x4000, "DF copied from the inner header");
        assertEquals(Packet.IPPROTO_IPIP, b.get(java.lang.foreign.ValueLayout.JAVA_BYTE, outer + 9));
        assertEquals(DIRECTOR, u32(b, outer + 12));
        assertEquals(RS, u32(b, outer + 16));
        assertEquals(0, Packet.checksum(b, outer, 20, 0), "outer header checksum");
        assertEquals(-1L, before.mismatch(b.asSlice(outer + 20, 140)), "inner packet untouched");
        assertTrue(Frames.checksumsValid(b, outer + 20 - 14), "inner checksums still right");
    }

    @Test
    void fullSizePacketsGetFragmentationNeededWithRoomForTheOuterHeader() {
        segment(1460, 1500);
        assertEquals(Verdict.FRAGMENTATION_NEEDED, tun.forward(p));
        assertEquals(20, p.overhead());
        segment(1440, 1500);
        assertEquals(Verdict.SEND, tun.forward(p), "1480 bytes + 20 fit");
    }

    @Test
    void withoutDontFragmentAnOversizedDatagramIsDropped() {
        MemorySegment b = Frames.buffer();
        int len = Frames.udp(b, DIRECTOR_MAC, CLIENT_MAC, CLIENT, 40000, VIP, 53, 1472);
        p.frame(b, OFF, len, OFF + 34, Packet.IPPROTO_UDP, -1);
        p.connection(CLIENT, 40000, VIP, 53, RS, 53);
        p.route(RS_MAC, DIRECTOR_MAC, DIRECTOR, 1500);
        assertEquals(Verdict.DROP, tun.forward(p));
    }
}
