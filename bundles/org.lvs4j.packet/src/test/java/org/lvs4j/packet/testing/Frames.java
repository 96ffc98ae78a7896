package org.lvs4j.packet.testing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import org.lvs4j.packet.spi.Packet;

/**
 * Builds Ethernet/IPv4 frames the way a real host sends them (checksums computed in full) and checks frames the same
 * way a receiver would, independently of the incremental updates under test.
 */
public final class Frames {

    public static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final int TCP_SYN = 0x02;
    public static final int TCP_ACK = 0x10;
    public static final int TCP_FIN = 0x01;
    /** Where frames start in a buffer from {@link #buffer()}: after the headroom transforms may use. */
    public static final int OFF = Packet.HEADROOM;

    private Frames() {
    }

    /** A receive slot as the engine has one: headroom, frame area, answer area. */
    public static MemorySegment buffer() {
        return Arena.ofAuto().allocate(4096, 64);
    }

    public static int ip(String dotted) {
        String[] p = dotted.split("\\.");
        return (Integer.parseInt(p[0]) << 24) | (Integer.parseInt(p[1]) << 16) | (Integer.parseInt(p[2]) << 8)
                | Integer.parseInt(p[3]);
    }

    /** A TCP segment with {@code payload} bytes of data; returns the frame length. */
    public static int tcp(MemorySegment b, long dstMac, long srcMac, int src, int sport, int dst, int dport,
                          int flags, int payload) {
        int l4 = ipHeader(b, dstMac, srcMac, src, dst, Packet.IPPROTO_TCP, 20 + payload, true);
        b.set(BE16, l4, (short) sport);
        b.set(BE16, l4 + 2, (short) dport);
        b.set(BE32, l4 + 4, 1000);
        b.set(BE32, l4 + 8, 0);
        b.set(ValueLayout.JAVA_BYTE, l4 + 12, (byte) 0x50);
        b.set(ValueLayout.JAVA_BYTE, l4 + 13, (byte) flags);
        b.set(BE16, l4 + 14, (short) 64240);
        b.set(BE32, l4 + 16, 0);
        fill(b, l4 + 20, payload);
        b.set(BE16, l4 + 16, (short) l4Checksum(b, OFF, Packet.IPPROTO_TCP));
        return Packet.ETH_HLEN + 20 + 20 + payload;
    }

    /** A UDP datagram; returns the frame length. */
    public static int udp(MemorySegment b, long dstMac, long srcMac, int src, int sport, int dst, int dport,
                          int payload) {
        int l4 = ipHeader(b, dstMac, srcMac, src, dst, Packet.IPPROTO_UDP, 8 + payload, false);
        b.set(BE16, l4, (short) sport);
        b.set(BE16, l4 + 2, (short) dport);
        b.set(BE16, l4 + 4, (short) (8 + payload));
        b.set(BE16, l4 + 6, (short) 0);
        fill(b, l4 + 8, payload);
        int c = l4Checksum(b, OFF, Packet.IPPROTO_UDP);
        b.set(BE16, l4 + 6, (short) (c == 0 ? 0xffff : c));
        return Packet.ETH_HLEN + 20 + 8 + payload;
    }

    /**
     * An ICMP error (type/code) from {@code src} to {@code dst} quoting the IP packet of the frame at {@link #OFF} in
     * {@code quoted} (its header and first 8 bytes); returns the frame length.
     */
    public static int icmpError(MemorySegment b, long dstMac, long srcMac, int src, int dst, int type, int code,
                                MemorySegment quoted) {
        int qlen = ((quoted.get(ValueLayout.JAVA_BYTE, OFF + 14) & 0xf) * 4) + 8;
        int l4 = ipHeader(b, dstMac, srcMac, src, dst, Packet.IPPROTO_ICMP, 8 + qlen, false);
        b.set(BE16, l4, (short) ((type << 8) | code));
        b.set(BE16, l4 + 2, (short) 0);
        b.set(BE32, l4 + 4, 0);
        MemorySegment.copy(quoted, OFF + 14, b, l4 + 8, qlen);
        b.set(BE16, l4 + 2, (short) Packet.checksum(b, l4, 8 + qlen, 0));
        return Packet.ETH_HLEN + 20 + 8 + qlen;
    }

    private static int ipHeader(MemorySegment b, long dstMac, long srcMac, int src, int dst, int proto, int l4len,
                                boolean df) {
        int e = OFF;
        b.set(BE16, e, (short) (dstMac >>> 32));
        b.set(BE32, e + 2, (int) dstMac);
        b.set(BE16, e + 6, (short) (srcMac >>> 32));
        b.set(BE32, e + 8, (int) srcMac);
        b.set(BE16, e + 12, (short) 0x0800);
        int ip = e + 14;
        b.set(BE16, ip, (short) 0x4500);
        b.set(BE16, ip + 2, (short) (20 + l4len));
        b.set(BE16, ip + 4, (short) 0x1234);
        b.set(BE16, ip + 6, (short) (df ? 0x4000 : 0));
        b.set(BE16, ip + 8, (short) ((64 << 8) | proto));
        b.set(BE16, ip + 10, (short) 0);
        b.set(BE32, ip + 12, src);
        b.set(BE32, ip + 16, dst);
        b.set(BE16, ip + 10, (short) Packet.checksum(b, ip, 20, 0));
        return ip + 20;
    }

    private static void fill(MemorySegment b, int at, int n) {
        for (int i = 0; i < n; i++) {
            b.set(ValueLayout.JAVA_BYTE, at + i, (byte) (i * 7 + 3));
        }
    }

    /** The TCP/UDP checksum of the IPv4 packet in the frame at {@code frame}, computed in full. */
    public static int l4Checksum(MemorySegment b, int frame, int proto) {
        int ip = frame + 14;
        int hl = (b.get(ValueLayout.JAVA_BYTE, ip) & 0xf) * 4;
        int len = (b.get(BE16, ip + 2) & 0xffff) - hl;
        int field = ip + hl + (proto == Packet.IPPROTO_TCP ? 16 : 6);
        short saved = b.get(BE16, field);
        b.set(BE16, field, (short) 0);
        long pseudo = ((b.get(BE32, ip + 12) >>> 16) & 0xffff) + (b.get(BE32, ip + 12) & 0xffff)
                + ((b.get(BE32, ip + 16) >>> 16) & 0xffff) + (b.get(BE32, ip + 16) & 0xffff) + proto + len;
        int c = Packet.checksum(b, ip + hl, len, (int) pseudo);
        b.set(BE16, field, saved);
        return c;
    }

    /** The frame's IP header checksum and (for TCP/UDP) transport checksum verify as a receiver checks them. */
    public static boolean checksumsValid(MemorySegment b, int frame) {
        int ip = frame + 14;
        int hl = (b.get(ValueLayout.JAVA_BYTE, ip) & 0xf) * 4;
        if (Packet.checksum(b, ip, hl, 0) != 0) {
            return false;
        }
        int proto = b.get(ValueLayout.JAVA_BYTE, ip + 9) & 0xff;
        int len = (b.get(BE16, ip + 2) & 0xffff) - hl;
        if (proto == Packet.IPPROTO_ICMP) {
            return Packet.checksum(b, ip + hl, len, 0) == 0;
        }
        if (proto != Packet.IPPROTO_TCP && proto != Packet.IPPROTO_UDP) {
            return true;
        }
        int field = ip + hl + (proto == Packet.IPPROTO_TCP ? 16 : 6);
        int stored = b.get(BE16, field) & 0xffff;
        int c = l4Checksum(b, frame, proto);
        return proto == Packet.IPPROTO_UDP && c == 0 ? stored == 0xffff : stored == c;
    }

    public static int u16(MemorySegment b, int offset) {
        return b.get(BE16, offset) & 0xffff;
    }

    public static int u32(MemorySegment b, int offset) {
        return b.get(BE32, offset);
    }

    public static long mac(MemorySegment b, int offset) {
        return ((long) u16(b, offset) << 32) | (u32(b, offset + 2) & 0xffffffffL);
    }
}
