package org.lvs4j.forward.nat;

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

/** NAT rewrites both directions and keeps every checksum right, as a receiver recomputes it in full. */
class MasqueradingTest {

    static final long CLIENT_MAC = 0x02_99_00_00_00_0aL;
    static final long DIRECTOR_MAC = 0x02_99_00_00_00_02L;
    static final long RS_MAC = 0x02_99_00_00_00_0bL;
    static final int CLIENT = ip("10.99.0.10");
    static final int VIP = ip("10.99.0.100");
    static final int RS = ip("10.99.1.11");

    private final Masquerading nat = new Masquerading();
    private final Packet p = new Packet();

    private void inbound(MemorySegment b, int len, int proto, int inner) {
        p.frame(b, OFF, len, OFF + 34, proto, inner);
        p.connection(CLIENT, 40000, VIP, 80, RS, 8080);
        p.route(RS_MAC, DIRECTOR_MAC, ip("10.99.1.2"), 1500);
    }

    @Test
    void clientSegmentGoesToTheRealServersAddressAndPort() {
        for (int payload : new int[] {0, 1, 333, 1400}) {
            MemorySegment b = Frames.buffer();
            int len = Frames.tcp(b, DIRECTOR_MAC, CLIENT_MAC, CLIENT, 40000, VIP, 80, Frames.TCP_ACK, payload);
            inbound(b, len, Packet.IPPROTO_TCP, -1);
            assertEquals(Verdict.SEND, nat.forward(p));
            assertEquals(RS, u32(b, OFF + 30));
            assertEquals(CLIENT, u32(b, OFF + 26), "the real server sees the client's address");
            assertEquals(8080, u16(b, OFF + 36));
            assertEquals(RS_MAC, Frames.mac(b, OFF));
            assertEquals(DIRECTOR_MAC, Frames.mac(b, OFF + 6));
            assertTrue(Frames.checksumsValid(b, OFF), "checksums after DNAT, payload " + payload);
        }
    }

    @Test
    void replyLeavesAsTheVip() {
        MemorySegment b = Frames.buffer();
        int len = Frames.udp(b, DIRECTOR_MAC, RS_MAC, RS, 8080, CLIENT, 40000, 77);
        p.frame(b, OFF, len, OFF + 34, Packet.IPPROTO_UDP, -1);
        p.connection(CLIENT, 40000, VIP, 80, RS, 8080);
        p.route(CLIENT_MAC, DIRECTOR_MAC, ip("10.99.0.2"), 1500);
        assertEquals(Verdict.SEND, nat.reply(p));
        assertEquals(VIP, u32(b, OFF + 26));
        assertEquals(80, u16(b, OFF + 34));
        assertEquals(CLIENT_MAC, Frames.mac(b, OFF));
        assertTrue(Frames.checksumsValid(b, OFF));
    }

    @Test
    void icmpErrorsAreTranslatedInsideAndOut() {
        // the client's host says port unreachable about a reply VIP:80 -> client:40000
        MemorySegment reply = Frames.buffer();
        Frames.udp(reply, CLIENT_MAC, DIRECTOR_MAC, VIP, 80, CLIENT, 40000, 20);
        MemorySegment b = Frames.buffer();
        int len = Frames.icmpError(b, DIRECTOR_MAC, CLIENT_MAC, CLIENT, VIP, 3, 3, reply);
        inbound(b, len, Packet.IPPROTO_ICMP, OFF + 34 + 8);
        assertEquals(Verdict.SEND, nat.forward(p));
        int inner = OFF + 34 + 8;
        assertEquals(RS, u32(b, OFF + 30));
        assertEquals(RS, u32(b, inner + 12), "the quote names the real server as the reply's source");
        assertEquals(8080, u16(b, inner + 20));
        assertTrue(Frames.checksumsValid(b, OFF));
        assertEquals(0, Packet.checksum(b, inner, 20, 0), "quoted IP header checksum");

        // the real server says port unreachable about client:40000 -> RS:8080
        MemorySegment asked = Frames.buffer();
        Frames.udp(asked, RS_MAC, DIRECTOR_MAC, CLIENT, 40000, RS, 8080, 20);
        MemorySegment c = Frames.buffer();
        len = Frames.icmpError(c, DIRECTOR_MAC, RS_MAC, RS, CLIENT, 3, 3, asked);
        p.frame(c, OFF, len, OFF + 34, Packet.IPPROTO_ICMP, inner);
        p.connection(CLIENT, 40000, VIP, 80, RS, 8080);
        p.route(CLIENT_MAC, DIRECTOR_MAC, ip("10.99.0.2"), 1500);
        assertEquals(Verdict.SEND, nat.reply(p));
        assertEquals(VIP, u32(c, OFF + 26));
        assertEquals(VIP, u32(c, inner + 16), "the client sees its packet to the VIP quoted");
        assertEquals(80, u16(c, inner + 22));
        assertTrue(Frames.checksumsValid(c, OFF));
        assertEquals(0, Packet.checksum(c, inner, 20, 0));
    }

    @Test
    void aFullSizeSegmentWithDontFragmentOverTheMtuIsReported() {
        MemorySegment b = Frames.buffer();
        int len = Frames.tcp(b, DIRECTOR_MAC, CLIENT_MAC, CLIENT, 40000, VIP, 80, Frames.TCP_ACK, 1460);
        inbound(b, len, Packet.IPPROTO_TCP, -1);
        p.route(RS_MAC, DIRECTOR_MAC, ip("10.99.1.2"), 1400);
        assertEquals(Verdict.FRAGMENTATION_NEEDED, nat.forward(p));
        assertEquals(0, p.overhead());
    }
}
