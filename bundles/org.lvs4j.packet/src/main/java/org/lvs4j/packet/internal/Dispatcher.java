/*
 * What happens to one received frame: IPVS's ip_vs_in / ip_vs_out for a userspace director.
 *
 * Every frame is validated before any field is trusted (Ethernet to us, IPv4 with a sane header, lengths inside the
 * frame, header checksum, no fragment, a whole transport header); each frame that fails is counted under its reason
 * and dropped. Then, by direction:
 *
 *  - to a VIP on a packet service: the client's entry is looked up by (protocol, client, port, VIP, port). A TCP SYN
 *    or a UDP datagram without one is admitted by the director (conn reuse, persistence, the scheduler); a refused one
 *    gets IPVS's answer (ICMP port unreachable when no real server is available). The entry's TCP state follows the
 *    segment's flags; the forwarder of the entry's method rewrites the frame for its real server.
 *  - from a NAT real server: the reply's masquerading entry is found by (server, port, client, port); the state
 *    follows, and the forwarder turns the reply back into the VIP's.
 *  - ICMP errors quoting one of those packets go the same way, rewritten inside (RFC 1812's "related" traffic).
 *
 * Nothing here allocates on the way of an established flow; admission (a new connection) may.
 */
package org.lvs4j.packet.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.lvs4j.api.Protocol;
import org.lvs4j.api.forward.Admission;
import org.lvs4j.api.forward.DataPath;
import org.lvs4j.api.forward.Entry;
import org.lvs4j.api.scheduler.Flow;
import org.lvs4j.packet.spi.Packet;
import org.lvs4j.packet.spi.PacketTransform;
import org.lvs4j.packet.spi.Verdict;

final class Dispatcher {

    /** Where finished frames go: the link's send batch. */
    interface Sender {
        void send(Link link, MemorySegment buffer, int offset, int length);
    }

    /** Next hops without a neighbour entry: the engine makes the kernel resolve them. */
    interface Resolver {
        void unresolved(int address);
    }

    private static final ValueLayout.OfShort BE16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final int TCP_FIN = 0x01;
    private static final int TCP_SYN = 0x02;
    private static final int TCP_RST = 0x04;
    private static final int TCP_ACK = 0x10;
    /** RFC 1812 4.3.2.3: an ICMP error quotes as much as fits in 576 bytes. */
    private static final int ICMP_QUOTE = 576 - 20 - 8;
    /** ICMP errors sent per second per packet thread, after a burst (the kernel's icmp_msgs_per_sec). */
    private static final long ICMP_PER_SECOND = 1000;
    private static final long ICMP_BURST = 50;

    private final DataPath path;
    private final AtomicReferenceArray<PacketTransform> transforms;
    private final Sender sender;
    private final Resolver resolver;
    private final Packet packet = new Packet();
    private final long[] hopMac = new long[1];
    /** Counts by {@link Counter}; written by this thread only, read by anyone. */
    final long[] counts = new long[Counter.ALL.length];
    private long icmpTokens = ICMP_BURST;
    private long icmpRefill = System.nanoTime();
    private int icmpId;

    Dispatcher(DataPath path, AtomicReferenceArray<PacketTransform> transforms, Sender sender, Resolver resolver) {
        this.path = path;
        this.transforms = transforms;
        this.sender = sender;
        this.resolver = resolver;
    }

    private void count(Counter c) {
        counts[c.ordinal()]++;
    }

    /**
     * One received frame at {@code off} in {@code buf}, {@code len} bytes, with its PACKET_AUXDATA status. The buffer
     * must hold {@link Packet#HEADROOM} bytes before the frame and {@link PacketSocket#FRAME} plus 1024 after its
     * start (the frame, then room for an ICMP answer).
     */
    void handle(Setup s, Link in, MemorySegment buf, int off, int len, int aux, boolean truncated) {
        count(Counter.RECEIVED);
        if (truncated) {
            count(Counter.TRUNCATED);
            return;
        }
        if (len < Packet.ETH_HLEN + 20) {
            count(Counter.SHORT);
            return;
        }
        if (PacketSocket.mac(buf, off) != in.mac) {
            count(Counter.NOT_FOR_US);
            return;
        }
        int type = u16(buf, off + 12);
        if ((aux & PacketSocket.TP_STATUS_VLAN_VALID) != 0 || type == 0x8100 || type == 0x88a8) {
            count(Counter.VLAN);
            return;
        }
        int ip = off + Packet.ETH_HLEN;
        int vihl = u8(buf, ip);
        if (type != 0x0800 || (vihl >>> 4) != 4 || (vihl & 0xf) < 5) {
            count(Counter.BAD_HEADER);
            return;
        }
        int hl = (vihl & 0xf) * 4;
        if (Packet.ETH_HLEN + hl > len) {
            count(Counter.SHORT);
            return;
        }
        int total = u16(buf, ip + 2);
        if (total < hl || Packet.ETH_HLEN + total > len) {
            count(Counter.BAD_LENGTH);
            return;
        }
        if (Packet.checksum(buf, ip, hl, 0) != 0) {
            count(Counter.BAD_CHECKSUM);
            return;
        }
        if ((u16(buf, ip + 6) & 0x3fff) != 0) {
            count(Counter.FRAGMENT);
            return;
        }
        int proto = u8(buf, ip + 9);
        int l4 = ip + hl;
        int l4len = total - hl;
        if (!transportValid(buf, proto, l4, l4len)) {
            return;
        }
        if ((aux & PacketSocket.TP_STATUS_CSUMNOTREADY) != 0) {
            completeChecksum(buf, proto, l4, l4len);
        }
        int frameLen = Packet.ETH_HLEN + total; // without Ethernet padding
        int src = u32(buf, ip + 12);
        int dst = u32(buf, ip + 16);
        Plan plan = s.plan;
        if (plan.isVip(dst)) {
            in.learn(src, PacketSocket.mac(buf, off + 6));
            if (proto == Packet.IPPROTO_ICMP) {
                icmpToVip(s, in, buf, off, frameLen, l4, l4len);
            } else {
                toVip(s, in, buf, off, frameLen, proto, l4, src, dst, total);
            }
        } else if (proto == Packet.IPPROTO_ICMP) {
            if (plan.isNatServer(src)) {
                icmpFromServer(s, buf, off, frameLen, l4, l4len);
            } else {
                count(Counter.NOT_FOR_US);
            }
        } else if (plan.natServer(proto, src, u16(buf, l4))) {
            fromServer(s, buf, off, frameLen, proto, l4, src, dst, total);
        } else {
            count(Counter.NOT_FOR_US);
        }
    }

    private boolean transportValid(MemorySegment buf, int proto, int l4, int l4len) {
        switch (proto) {
            case Packet.IPPROTO_TCP -> {
                int doff = l4len >= 20 ? (u8(buf, l4 + 12) >>> 4) * 4 : 0;
                if (doff < 20 || doff > l4len) {
                    count(Counter.BAD_TRANSPORT);
                    return false;
                }
            }
            case Packet.IPPROTO_UDP -> {
                if (l4len < 8 || u16(buf, l4 + 4) < 8 || u16(buf, l4 + 4) > l4len) {
                    count(Counter.BAD_TRANSPORT);
                    return false;
                }
            }
            case Packet.IPPROTO_ICMP -> {
                if (l4len < 8) {
                    count(Counter.BAD_TRANSPORT);
                    return false;
                }
            }
            default -> {
                count(Counter.OTHER_PROTOCOL);
                return false;
            }
        }
        return true;
    }

    /**
     * A frame from a local sender with checksum offload carries only the pseudo-header sum in its checksum field
     * (CHECKSUM_PARTIAL); the device was to finish it. Forwarded as is, the real server would drop it.
     */
    private static void completeChecksum(MemorySegment buf, int proto, int l4, int l4len) {
        int field = proto == Packet.IPPROTO_TCP ? l4 + 16 : proto == Packet.IPPROTO_UDP ? l4 + 6 : -1;
        if (field < 0) {
            return;
        }
        int c = Packet.checksum(buf, l4, l4len, 0);
        buf.set(BE16, field, (short) (proto == Packet.IPPROTO_UDP && c == 0 ? 0xffff : c));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Client to real server

    private void toVip(Setup s, Link in, MemorySegment buf, int off, int frameLen, int proto, int l4, int src,
                       int dst, int total) {
        int sport = u16(buf, l4);
        int dport = u16(buf, l4 + 2);
        if (!s.plan.serves(proto, dst, dport)) {
            count(Counter.NO_SERVICE);
            return;
        }
        Entry e = path.find4(proto, src, sport, dst, dport);
        int flags = 0;
        if (proto == Packet.IPPROTO_TCP) {
            flags = u8(buf, l4 + 13);
            boolean syn = (flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) == TCP_SYN;
            if (syn) {
                e = admit(s, in, buf, off, proto, src, sport, dst, dport);
            } else if (e == null) {
                count(Counter.NO_CONNECTION);
                return;
            }
        } else if (e == null) {
            e = admit(s, in, buf, off, proto, src, sport, dst, dport);
        }
        if (e == null) {
            return;
        }
        packet.frame(buf, off, frameLen, l4, proto, -1);
        packet.connection(src, sport, dst, dport, 0, 0);
        if (forward(s, in, buf, off, e, proto == Packet.IPPROTO_TCP, flags, total) && e.onePacket()) {
            e.expire();
        }
    }

    private Entry admit(Setup s, Link in, MemorySegment buf, int off, int proto, int src, int sport, int dst,
                        int dport) {
        Admission a = path.admit(new PacketFlow(proto == Packet.IPPROTO_TCP ? Protocol.TCP : Protocol.UDP,
                address(src), sport, address(dst), dport));
        if (a.entry() != null) {
            return a.entry();
        }
        switch (a.refusal()) {
            case NO_SERVICE -> count(Counter.NO_SERVICE);
            case NO_SCHEDULER -> count(Counter.NO_SCHEDULER);
            case DROP -> count(Counter.REFUSED);
            case NO_DESTINATION -> {
                count(Counter.NO_DESTINATION);
                // ip_vs_leave: no real server can take it, so tell the client at once
                icmpError(in, buf, off, 3, 3, 0, dst);
            }
        }
        return null;
    }

    /**
     * Hands the frame (already described by {@link #packet}'s frame) to the entry's forwarder and sends it; true
     * when it went out.
     */
    private boolean forward(Setup s, Link in, MemorySegment buf, int off, Entry e, boolean tcp, int flags,
                            int total) {
        if (e.local()) {
            return local(s, buf, off, e, tcp, flags, total);
        }
        PacketTransform t = transforms.get(e.method().ordinal());
        if (t == null) {
            count(Counter.NO_FORWARDER);
            return false;
        }
        int server = e.destinationAddress().hashCode();
        Link out = s.serverLink(server);
        long mac = out == null ? 0 : s.net.neighbour(out.index, s.serverGateway(server));
        if (mac == 0) {
            count(Counter.NO_NEIGHBOUR);
            resolver.unresolved(out == null ? server : s.serverGateway(server));
            return false;
        }
        int port = e.destinationPort() != 0 ? e.destinationPort() : packet.virtualPort(); // port 0: as addressed
        packet.connection(packet.client(), packet.clientPort(), packet.virtualAddress(), packet.virtualPort(),
                server, port);
        packet.route(mac, out.mac, out.address, out.mtu);
        if (tcp) {
            e.tcpSegment(true, flags);
        }
        e.in(total);
        Verdict v = t.forward(packet);
        switch (v) {
            case SEND -> {
                count(Counter.FORWARDED);
                sender.send(out, buf, packet.start(), packet.length());
                return true;
            }
            case FRAGMENTATION_NEEDED -> {
                count(Counter.TOO_BIG);
                icmpError(in, buf, off, 3, 4, packet.mtu() - packet.overhead(), u32(buf, off + 14 + 16));
            }
            case DROP -> count(Counter.TRANSFORM_DROPPED);
        }
        return false;
    }

    /**
     * IPVS's LOCALNODE: the packet, unchanged, goes to this host's own stack, where the VIP is local and a server on
     * the service port answers the client directly.
     */
    private boolean local(Setup s, MemorySegment buf, int off, Entry e, boolean tcp, int flags, int total) {
        Tun t = s.local;
        if (t == null || !t.write(buf.address() + off + Packet.ETH_HLEN, total)) {
            count(Counter.LOCAL_FAILED);
            return false;
        }
        if (tcp) {
            e.tcpSegment(true, flags);
        }
        e.in(total);
        count(Counter.LOCAL);
        return true;
    }

    /** An ICMP error to a VIP about a packet the VIP "sent" (a real server's reply): to that connection's server. */
    private void icmpToVip(Setup s, Link in, MemorySegment buf, int off, int frameLen, int l4, int l4len) {
        int inner = icmpQuote(buf, l4, l4len);
        if (inner < 0) {
            if (inner == -1) {
                count(Counter.NO_SERVICE); // echo and other queries: the kernel answers for the VIP
            }
            return;
        }
        int innerProto = u8(buf, inner + 9);
        int innerL4 = inner + (u8(buf, inner) & 0xf) * 4;
        int vip = u32(buf, inner + 12);
        int vport = u16(buf, innerL4);
        int client = u32(buf, inner + 16);
        int cport = u16(buf, innerL4 + 2);
        Entry e = path.find4(innerProto, client, cport, vip, vport);
        if (e == null) {
            count(Counter.ICMP_UNRELATED);
            return;
        }
        packet.frame(buf, off, frameLen, l4, Packet.IPPROTO_ICMP, inner);
        packet.connection(client, cport, vip, vport, 0, 0);
        forward(s, in, buf, off, e, false, 0, u16(buf, off + 14 + 2));
    }

    /**
     * The quoted IP header of an ICMP error about a TCP or UDP packet, or -1 for ICMP that is not an error, -2 for an
     * error quoting something else or too little (counted).
     */
    private int icmpQuote(MemorySegment buf, int l4, int l4len) {
        int type = u8(buf, l4);
        if (type != 3 && type != 4 && type != 11 && type != 12) {
            return -1;
        }
        int inner = l4 + 8;
        int ivihl = l4len >= 8 + 20 ? u8(buf, inner) : 0;
        int ihl = (ivihl & 0xf) * 4;
        if ((ivihl >>> 4) != 4 || ihl < 20 || l4len < 8 + ihl + 8) {
            count(Counter.BAD_TRANSPORT);
            return -2;
        }
        int p = u8(buf, inner + 9);
        if ((p != Packet.IPPROTO_TCP && p != Packet.IPPROTO_UDP) || (u16(buf, inner + 6) & 0x1fff) != 0) {
            count(Counter.ICMP_UNRELATED);
            return -2;
        }
        return inner;
    }

    // ---------------------------------------------------------------------------------------------------------
    // NAT real server to client

    private void fromServer(Setup s, MemorySegment buf, int off, int frameLen, int proto, int l4, int src, int dst,
                            int total) {
        int sport = u16(buf, l4);
        int dport = u16(buf, l4 + 2);
        Entry e = path.findReply4(proto, src, sport, dst, dport);
        if (e == null) {
            count(Counter.NO_CONNECTION);
            return;
        }
        packet.frame(buf, off, frameLen, l4, proto, -1);
        packet.connection(dst, dport, e.service().address().hashCode(), e.virtualPort(), src, sport);
        if (proto == Packet.IPPROTO_TCP) {
            e.tcpSegment(false, u8(buf, l4 + 13));
        }
        e.out(total);
        reply(s, buf, e, dst);
    }

    /** An ICMP error from a NAT real server about a client's packet: back to the client as if from the VIP. */
    private void icmpFromServer(Setup s, MemorySegment buf, int off, int frameLen, int l4, int l4len) {
        int inner = icmpQuote(buf, l4, l4len);
        if (inner < 0) {
            if (inner == -1) {
                count(Counter.NOT_FOR_US);
            }
            return;
        }
        int innerProto = u8(buf, inner + 9);
        int innerL4 = inner + (u8(buf, inner) & 0xf) * 4;
        int client = u32(buf, inner + 12);
        int cport = u16(buf, innerL4);
        int server = u32(buf, inner + 16);
        int sport = u16(buf, innerL4 + 2);
        Entry e = path.findReply4(innerProto, server, sport, client, cport);
        if (e == null) {
            count(Counter.ICMP_UNRELATED);
            return;
        }
        packet.frame(buf, off, frameLen, l4, Packet.IPPROTO_ICMP, inner);
        packet.connection(client, cport, e.service().address().hashCode(), e.virtualPort(), server, sport);
        reply(s, buf, e, u32(buf, off + 14 + 16));
    }

    private void reply(Setup s, MemorySegment buf, Entry e, int to) {
        PacketTransform t = transforms.get(e.method().ordinal());
        if (t == null) {
            count(Counter.NO_FORWARDER);
            return;
        }
        Link out = s.clientHop(to, hopMac);
        if (out == null) {
            count(Counter.NO_NEIGHBOUR);
            resolver.unresolved(to);
            return;
        }
        packet.route(hopMac[0], out.mac, out.address, out.mtu);
        if (t.reply(packet) == Verdict.SEND) {
            count(Counter.REPLIED);
            sender.send(out, buf, packet.start(), packet.length());
        } else {
            count(Counter.TRANSFORM_DROPPED);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // ICMP errors of our own

    /**
     * Answers the frame at {@code off} with an ICMP error from {@code from} to its sender, built in the area after
     * the frame and sent back on the link it came in by. {@code mtu} goes in the next-hop MTU field (RFC 1191).
     */
    private void icmpError(Link in, MemorySegment buf, int off, int type, int code, int mtu, int from) {
        long now = System.nanoTime();
        long refill = (now - icmpRefill) * ICMP_PER_SECOND / 1_000_000_000L;
        if (refill > 0) {
            icmpTokens = Math.min(ICMP_BURST, icmpTokens + refill);
            icmpRefill = now;
        }
        if (icmpTokens == 0) {
            return;
        }
        icmpTokens--;
        int ip = off + Packet.ETH_HLEN;
        int quote = Math.min(u16(buf, ip + 2), ICMP_QUOTE);
        int a = off + PacketSocket.FRAME;
        int aip = a + Packet.ETH_HLEN;
        int icmp = aip + 20;
        // Ethernet: back to where the frame came from
        MemorySegment.copy(buf, off + 6, buf, a, 6);
        buf.set(BE16, a + 6, (short) (in.mac >>> 32));
        buf.set(BE32, a + 8, (int) in.mac);
        buf.set(BE16, a + 12, (short) 0x0800);
        buf.set(BE16, aip, (short) 0x45c0);
        buf.set(BE16, aip + 2, (short) (20 + 8 + quote));
        buf.set(BE16, aip + 4, (short) icmpId++);
        buf.set(BE16, aip + 6, (short) 0);
        buf.set(BE16, aip + 8, (short) ((64 << 8) | Packet.IPPROTO_ICMP));
        buf.set(BE16, aip + 10, (short) 0);
        buf.set(BE32, aip + 12, from);
        buf.set(BE32, aip + 16, u32(buf, ip + 12));
        buf.set(BE16, aip + 10, (short) Packet.checksum(buf, aip, 20, 0));
        buf.set(BE16, icmp, (short) ((type << 8) | code));
        buf.set(BE16, icmp + 2, (short) 0);
        buf.set(BE16, icmp + 4, (short) 0);
        buf.set(BE16, icmp + 6, (short) mtu);
        MemorySegment.copy(buf, ip, buf, icmp + 8, quote);
        buf.set(BE16, icmp + 2, (short) Packet.checksum(buf, icmp, 8 + quote, 0));
        count(Counter.ICMP_SENT);
        sender.send(in, buf, a, Packet.ETH_HLEN + 20 + 8 + quote);
    }

    // ---------------------------------------------------------------------------------------------------------

    private record PacketFlow(Protocol protocol, InetAddress sourceAddress, int sourcePort,
                              InetAddress destinationAddress, int destinationPort) implements Flow {
    }

    private static InetAddress address(int v4) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8),
                (byte) v4});
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an address
        }
    }

    private static int u8(MemorySegment s, int offset) {
        return s.get(ValueLayout.JAVA_BYTE, offset) & 0xff;
    }

    private static int u16(MemorySegment s, int offset) {
        return s.get(BE16, offset) & 0xffff;
    }

    private static int u32(MemorySegment s, int offset) {
        return s.get(BE32, offset);
    }
}
