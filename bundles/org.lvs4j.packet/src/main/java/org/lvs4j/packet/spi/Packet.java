package org.lvs4j.packet.spi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One Ethernet frame carrying IPv4, in the engine's off-heap receive buffer, with the connection it belongs to.
 * The engine reuses one instance per packet thread; transforms rewrite the frame through the helpers below, which
 * update the IPv4 header checksum and the TCP/UDP checksum incrementally (RFC 1624) as fields change.
 *
 * <p>The frame starts at {@link #start()}; the buffer has room in front of it ({@link #HEADROOM} bytes), so a
 * transform can prepend an outer header without copying the packet. Addresses are IPv4 ints in network order (first
 * octet in the top byte); MAC addresses are the six bytes in the low 48 bits of a long.
 *
 * <p>For an ICMP error ({@link #icmpError()}) the ports and addresses named below are those of the packet the error
 * quotes, and the {@code inner*} helpers rewrite that quoted packet.
 */
@ProviderType
public final class Packet {

    /** Bytes the buffer keeps free in front of every received frame. */
    public static final int HEADROOM = 64;
    public static final int ETH_HLEN = 14;
    public static final int IPPROTO_ICMP = 1;
    public static final int IPPROTO_IPIP = 4;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;

    private static final ValueLayout.OfShort BE16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private MemorySegment buffer = MemorySegment.NULL;
    private int start;
    private int length;
    private int ip;
    private int l4;
    private int protocol;
    private int inner = -1;
    private int innerL4;
    private int innerProtocol;

    private int client;
    private int clientPort;
    private int virtualAddress;
    private int virtualPort;
    private int server;
    private int serverPort;
    private int localAddress;
    private long nextHop;
    private long source;
    private int mtu;
    private int overhead;
    private short ipId;

    /**
     * Points this view at a frame the engine validated: an IPv4 header at {@code start + 14}, the transport header at
     * {@code l4}; for ICMP errors, the quoted IP header at {@code inner} (else -1).
     */
    public void frame(MemorySegment buffer, int start, int length, int l4, int protocol, int inner) {
        this.buffer = buffer;
        this.start = start;
        this.length = length;
        this.ip = start + ETH_HLEN;
        this.l4 = l4;
        this.protocol = protocol;
        this.inner = inner;
        if (inner >= 0) {
            this.innerL4 = inner + (u8(inner) & 0xf) * 4;
            this.innerProtocol = u8(inner + 9);
        }
    }

    /** The connection's endpoints as the engine found them in the director's table. */
    public void connection(int client, int clientPort, int virtualAddress, int virtualPort, int server,
                           int serverPort) {
        this.client = client;
        this.clientPort = clientPort;
        this.virtualAddress = virtualAddress;
        this.virtualPort = virtualPort;
        this.server = server;
        this.serverPort = serverPort;
    }

    /**
     * Where the frame goes next: the next hop's MAC, this director's MAC and IPv4 address on the outgoing link, and
     * that link's MTU.
     */
    public void route(long nextHop, long source, int localAddress, int mtu) {
        this.nextHop = nextHop;
        this.source = source;
        this.localAddress = localAddress;
        this.mtu = mtu;
        this.overhead = 0;
    }

    public MemorySegment buffer() {
        return buffer;
    }

    /** Offset of the Ethernet header in {@link #buffer()}. */
    public int start() {
        return start;
    }

    /** Frame length, Ethernet header included. */
    public int length() {
        return length;
    }

    /** Offset of the (outer) IPv4 header. */
    public int ipOffset() {
        return ip;
    }

    /** Offset of the transport header (for ICMP: of the ICMP header). */
    public int l4Offset() {
        return l4;
    }

    /** The IP protocol of the frame: 6, 17, or 1 for an ICMP error about a TCP or UDP packet. */
    public int protocol() {
        return protocol;
    }

    /** The frame is an ICMP error quoting one of the connection's packets. */
    public boolean icmpError() {
        return inner >= 0;
    }

    /** For an ICMP error: the protocol of the quoted packet. */
    public int innerProtocol() {
        return innerProtocol;
    }

    public int client() {
        return client;
    }

    public int clientPort() {
        return clientPort;
    }

    public int virtualAddress() {
        return virtualAddress;
    }

    public int virtualPort() {
        return virtualPort;
    }

    /** The real server. */
    public int server() {
        return server;
    }

    public int serverPort() {
        return serverPort;
    }

    /** The director's own IPv4 address on the outgoing link (the source of a tunnel's outer header). */
    public int localAddress() {
        return localAddress;
    }

    public long nextHop() {
        return nextHop;
    }

    public long source() {
        return source;
    }

    public int mtu() {
        return mtu;
    }

    /** Bytes a transform would add (a tunnel's outer header), reported with {@link Verdict#FRAGMENTATION_NEEDED}. */
    public int overhead() {
        return overhead;
    }

    public void overhead(int bytes) {
        this.overhead = bytes;
    }

    /** Length of the (outer) IP packet. */
    public int ipLength() {
        return u16(ip + 2);
    }

    /** The IP packet, grown by {@code extra} bytes of outer header, fits the outgoing link's MTU. */
    public boolean fits(int extra) {
        return ipLength() + extra <= mtu;
    }

    /**
     * The verdict on a packet that does not fit: with Don't Fragment, the client is told the MTU it can use
     * (the engine sends ICMP "fragmentation needed" for {@code mtu - extra}); without, it is dropped (the director
     * does not fragment).
     */
    public Verdict tooBig(int extra) {
        overhead = extra;
        return dontFragment() ? Verdict.FRAGMENTATION_NEEDED : Verdict.DROP;
    }

    /** The IP header's Don't Fragment bit. */
    public boolean dontFragment() {
        return (u16(ip + 6) & 0x4000) != 0;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Rewriting

    /** Addresses the frame: destination and source MAC, type IPv4. */
    public void setEthernet(long destination, long sourceMac) {
        put16(start, (int) (destination >>> 32));
        put32(start + 2, (int) destination);
        put16(start + 6, (int) (sourceMac >>> 32));
        put32(start + 8, (int) sourceMac);
        put16(start + 12, 0x0800);
    }

    /** Rewrites the IPv4 source address; the IP checksum and, unless this is an ICMP error, the transport checksum follow. */
    public void setIpSource(int address) {
        int old = u32(ip + 12);
        put32(ip + 12, address);
        ipChecksum32(old, address);
        if (inner < 0) {
            l4Checksum32(protocol, l4, old, address);
        }
    }

    /** Rewrites the IPv4 destination address, as {@link #setIpSource}. */
    public void setIpDestination(int address) {
        int old = u32(ip + 16);
        put32(ip + 16, address);
        ipChecksum32(old, address);
        if (inner < 0) {
            l4Checksum32(protocol, l4, old, address);
        }
    }

    /** Rewrites the TCP/UDP source port with its checksum. */
    public void setSourcePort(int port) {
        int old = u16(l4);
        put16(l4, port);
        l4Checksum16(protocol, l4, old, port);
    }

    /** Rewrites the TCP/UDP destination port with its checksum. */
    public void setDestinationPort(int port) {
        int old = u16(l4 + 2);
        put16(l4 + 2, port);
        l4Checksum16(protocol, l4, old, port);
    }

    /**
     * For an ICMP error: rewrites the quoted packet's source address and port (a reply's source: the VIP, or the real
     * server), then the ICMP checksum. The quoted transport checksum is left alone, as IPVS leaves it: the quote is
     * often truncated, and receivers do not check it.
     */
    public void setInnerSource(int address, int port) {
        int oldAddress = u32(inner + 12);
        put32(inner + 12, address);
        int check = u16(inner + 10);
        put16(inner + 10, replace32(check, oldAddress, address));
        put16(innerL4, port);
        icmpChecksum();
    }

    /** For an ICMP error: rewrites the quoted packet's destination address and port. */
    public void setInnerDestination(int address, int port) {
        int oldAddress = u32(inner + 16);
        put32(inner + 16, address);
        int check = u16(inner + 10);
        put16(inner + 10, replace32(check, oldAddress, address));
        put16(innerL4 + 2, port);
        icmpChecksum();
    }

    /**
     * Prepends an IPIP header (RFC 2003) in the headroom: from {@code outerSource} to {@code outerDestination}, the
     * inner packet's TOS and Don't Fragment bit, TTL 64. The frame then starts 20 bytes earlier; address it with
     * {@link #setEthernet} afterwards.
     */
    public void encapsulate(int outerSource, int outerDestination) {
        int innerIp = ip;
        int tos = u8(innerIp + 1);
        int df = u16(innerIp + 6) & 0x4000;
        int innerLength = u16(innerIp + 2);
        start -= 20;
        ip = start + ETH_HLEN;
        length += 20;
        put16(ip, 0x4500 | tos);
        put16(ip + 2, innerLength + 20);
        put16(ip + 4, ipId++ & 0xffff);
        put16(ip + 6, df);
        put16(ip + 8, (64 << 8) | IPPROTO_IPIP);
        put16(ip + 10, 0);
        put32(ip + 12, outerSource);
        put32(ip + 16, outerDestination);
        put16(ip + 10, checksum(buffer, ip, 20, 0));
    }

    private void icmpChecksum() {
        put16(l4 + 2, 0);
        put16(l4 + 2, checksum(buffer, l4, ip + u16(ip + 2) - l4, 0));
    }

    private void ipChecksum32(int old, int neu) {
        put16(ip + 10, replace32(u16(ip + 10), old, neu));
    }

    private void l4Checksum32(int proto, int at, int old, int neu) {
        int field = checksumField(proto, at);
        if (field < 0) {
            return;
        }
        int check = u16(field);
        if (proto == IPPROTO_UDP && check == 0) {
            return; // no checksum: stays so
        }
        put16(field, udpFix(proto, replace32(check, old, neu)));
    }

    private void l4Checksum16(int proto, int at, int old, int neu) {
        int field = checksumField(proto, at);
        if (field < 0) {
            return;
        }
        int check = u16(field);
        if (proto == IPPROTO_UDP && check == 0) {
            return;
        }
        put16(field, udpFix(proto, replace16(check, old, neu)));
    }

    private static int checksumField(int proto, int at) {
        return switch (proto) {
            case IPPROTO_TCP -> at + 16;
            case IPPROTO_UDP -> at + 6;
            default -> -1;
        };
    }

    private static int udpFix(int proto, int check) {
        return proto == IPPROTO_UDP && check == 0 ? 0xffff : check;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Checksum arithmetic and field access

    /** RFC 1624 eqn. 3: the checksum after a 16-bit field changed from {@code old} to {@code neu}. */
    public static int replace16(int check, int old, int neu) {
        int sum = (~check & 0xffff) + (~old & 0xffff) + (neu & 0xffff);
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        return ~sum & 0xffff;
    }

    /** The checksum after a 32-bit field (an address) changed. */
    public static int replace32(int check, int old, int neu) {
        return replace16(replace16(check, old >>> 16, neu >>> 16), old & 0xffff, neu & 0xffff);
    }

    /** The Internet checksum (RFC 1071) of {@code length} bytes at {@code offset}, starting from a partial sum. */
    public static int checksum(MemorySegment s, int offset, int length, int initial) {
        long sum = initial & 0xffffffffL;
        int i = offset;
        int end = offset + length;
        for (; i + 3 < end; i += 4) {
            sum += s.get(BE32, i) & 0xffffffffL;
        }
        if (i + 1 < end) {
            sum += s.get(BE16, i) & 0xffff;
            i += 2;
        }
        if (i < end) {
            sum += (s.get(ValueLayout.JAVA_BYTE, i) & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    public int u8(int offset) {
        return buffer.get(ValueLayout.JAVA_BYTE, offset) & 0xff;
    }

    public int u16(int offset) {
        return buffer.get(BE16, offset) & 0xffff;
    }

    public int u32(int offset) {
        return buffer.get(BE32, offset);
    }

    public void put16(int offset, int value) {
        buffer.set(BE16, offset, (short) value);
    }

    public void put32(int offset, int value) {
        buffer.set(BE32, offset, value);
    }
}
