package org.lvs4j.packet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lvs4j.packet.testing.Frames.OFF;
import static org.lvs4j.packet.testing.Frames.ip;
import static org.lvs4j.packet.testing.Frames.u16;
import static org.lvs4j.packet.testing.Frames.u32;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lvs4j.api.ConnectionState;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.RealServerConfig;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.TableChange;
import org.lvs4j.director.internal.Clock;
import org.lvs4j.director.internal.Table;
import org.lvs4j.director.internal.TableDirector;
import org.lvs4j.packet.spi.Packet;
import org.lvs4j.packet.spi.PacketTransform;
import org.lvs4j.packet.spi.Verdict;
import org.lvs4j.packet.testing.Frames;
import org.lvs4j.scheduler.rr.RoundRobinScheduler;

/**
 * The per-frame path against a real director table: admission, state, lookups both ways, refusals and their ICMP
 * answers, and a fuzz run of malformed frames that must each be counted once and never throw.
 */
class DispatcherTest {

    static final long DIRECTOR_MAC = 0x02_99_00_00_00_02L;
    static final long CLIENT_MAC = 0x02_99_00_00_00_0aL;
    static final long RS1_MAC = 0x02_99_00_00_00_0bL;
    static final long RS2_MAC = 0x02_99_00_00_00_0cL;
    static final int CLIENT = ip("10.99.0.10");
    static final int VIP = ip("10.99.0.100");
    static final int RS1 = ip("10.99.1.11");
    static final int RS2 = ip("10.99.1.12");
    static final int NAT_RS = ip("10.99.1.13");

    final Table table = new Table(Clock.SYSTEM, a -> false);
    final TableDirector director = new TableDirector(table);
    final AtomicReferenceArray<PacketTransform> transforms = new AtomicReferenceArray<>(ForwardMethod.values().length);
    final List<long[]> sent = new ArrayList<>(); // {offset, length, mac}
    final List<Integer> unresolved = new ArrayList<>();
    final Link eth0 = new Link("eth0", 2, DIRECTOR_MAC, 1500, ip("10.99.0.2"), null);
    Dispatcher d;
    Setup setup;
    ServiceKey web;

    /** Direct routing, and NAT as the nat bundle does it, inline so this module needs neither bundle. */
    static final PacketTransform DR = new PacketTransform() {
        @Override
        public Verdict forward(Packet p) {
            p.setEthernet(p.nextHop(), p.source());
            return Verdict.SEND;
        }

        @Override
        public Verdict reply(Packet p) {
            return Verdict.DROP;
        }
    };
    static final PacketTransform NAT = new PacketTransform() {
        @Override
        public Verdict forward(Packet p) {
            p.setIpDestination(p.server());
            p.setDestinationPort(p.serverPort());
            p.setEthernet(p.nextHop(), p.source());
            return Verdict.SEND;
        }

        @Override
        public Verdict reply(Packet p) {
            p.setIpSource(p.virtualAddress());
            p.setSourcePort(p.virtualPort());
            p.setEthernet(p.nextHop(), p.source());
            return Verdict.SEND;
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        table.addScheduler("rr", new RoundRobinScheduler(), 0, 1);
        table.addForwarder(ForwardMethod.DROUTE);
        table.addForwarder(ForwardMethod.MASQ);
        transforms.set(ForwardMethod.DROUTE.ordinal(), DR);
        transforms.set(ForwardMethod.MASQ.ordinal(), NAT);
        web = service(Protocol.TCP, 80);
        table.apply(new TableChange.AddRealServer(web, RealServerConfig.of(addr(RS1), 80, ForwardMethod.DROUTE, 1)));
        table.apply(new TableChange.AddRealServer(web, RealServerConfig.of(addr(RS2), 80, ForwardMethod.DROUTE, 1)));
        ServiceKey dns = service(Protocol.UDP, 53);
        table.apply(new TableChange.AddRealServer(dns, RealServerConfig.of(addr(NAT_RS), 5353, ForwardMethod.MASQ,
                1)));
        Net.LongMap arp = new Net.LongMap(8);
        arp.put(Net.key(2, RS1), RS1_MAC);
        arp.put(Net.key(2, RS2), RS2_MAC);
        arp.put(Net.key(2, NAT_RS), 0x02_99_00_00_00_0dL);
        Net net = new Net(Map.of("eth0", new Net.Interface("eth0", 2, DIRECTOR_MAC, 1500,
                List.of(ip("10.99.0.2"), ip("10.99.1.2"), VIP), false)),
                List.of(new Net.Route(ip("10.99.0.0"), ip("255.255.255.0"), 0, "eth0", 0),
                        new Net.Route(ip("10.99.1.0"), ip("255.255.255.0"), 0, "eth0", 0)), arp);
        setup = new Setup(new Plan(director.services()), net, new Link[] {eth0}, null);
        d = new Dispatcher(table, transforms, (link, buf, off, len) -> sent.add(new long[] {off, len,
            Frames.mac(buf, off)}), unresolved::add);
    }

    private ServiceKey service(Protocol p, int port) throws Exception {
        ServiceKey key = new ServiceKey(p, addr(VIP), port);
        table.apply(new TableChange.AddService(ServiceConfig.of(key, "rr"), true));
        return key;
    }

    static InetAddress addr(int v4) throws Exception {
        return InetAddress.getByAddress(new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8),
            (byte) v4});
    }

    private long count(Counter c) {
        return d.counts[c.ordinal()];
    }

    private void handle(MemorySegment b, int len) {
        d.handle(setup, eth0, b, OFF, len, 0, false);
    }

    private int tcp(MemorySegment b, int sport, int flags) {
        return Frames.tcp(b, DIRECTOR_MAC, CLIENT_MAC, CLIENT, sport, VIP, 80, flags, 10);
    }

    @Test
    void synsAreScheduledInTurnAndTheConnectionFollowsItsServer() throws Exception {
        for (int port = 40000; port < 40004; port++) {
            MemorySegment b = Frames.buffer();
            handle(b, tcp(b, port, Frames.TCP_SYN));
        }
        assertEquals(4, count(Counter.FORWARDED));
        List<Long> macs = sent.stream().map(s -> s[2]).toList();
        assertEquals(List.of(RS2_MAC, RS1_MAC, RS2_MAC, RS1_MAC), macs, "rr over the list, newest first (B0)");
        assertEquals(ConnectionState.SYN_RECV, table.find4(6, CLIENT, 40000, VIP, 80).state());

        sent.clear();
        MemorySegment b = Frames.buffer();
        handle(b, tcp(b, 40000, Frames.TCP_ACK));
        assertEquals(RS2_MAC, sent.get(0)[2], "the connection stays on its real server");
        assertEquals(ConnectionState.ESTABLISHED, table.find4(6, CLIENT, 40000, VIP, 80).state());
        assertTrue(Frames.checksumsValid(b, OFF));
        assertEquals(CLIENT_MAC, eth0.learned(CLIENT), "the client's MAC is learned for replies");
    }

    @Test
    void aSegmentOfNoConnectionIsDroppedAndCounted() {
        MemorySegment b = Frames.buffer();
        handle(b, tcp(b, 40000, Frames.TCP_ACK));
        assertEquals(1, count(Counter.NO_CONNECTION));
        assertEquals(List.of(), sent);
    }

    @Test
    void noRealServerAvailableAnswersPortUnreachableFromTheVip() throws Exception {
        for (int rs : new int[] {RS1, RS2}) {
            table.apply(new TableChange.EditRealServer(web, RealServerConfig.of(addr(rs), 80, ForwardMethod.DROUTE,
                    0)));
        }
        MemorySegment b = Frames.buffer();
        handle(b, tcp(b, 40000, Frames.TCP_SYN));
        assertEquals(1, count(Counter.NO_DESTINATION));
        assertEquals(1, sent.size());
        int a = (int) sent.get(0)[0];
        assertEquals(CLIENT_MAC, sent.get(0)[2]);
        assertEquals(VIP, u32(b, a + 26));
        assertEquals(CLIENT, u32(b, a + 30));
        assertEquals(0x0303, u16(b, a + 34), "ICMP destination unreachable, port unreachable");
        assertEquals(VIP, u32(b, a + 42 + 16), "quotes the client's packet");
        assertTrue(Frames.checksumsValid(b, a));
    }

    @Test
    void aMissingForwarderPausesTheFlowAndAnUnknownNeighbourIsResolved() throws Exception {
        transforms.set(ForwardMethod.DROUTE.ordinal(), null);
        MemorySegment b = Frames.buffer();
        handle(b, tcp(b, 40000, Frames.TCP_SYN));
        assertEquals(1, count(Counter.NO_FORWARDER));
        assertTrue(table.find4(6, CLIENT, 40000, VIP, 80) != null, "the connection is kept for the next forwarder");

        transforms.set(ForwardMethod.DROUTE.ordinal(), DR);
        Net bare = new Net(Map.of(), List.of(new Net.Route(ip("10.99.1.0"), ip("255.255.255.0"), 0, "eth0", 0)),
                new Net.LongMap(4));
        setup = new Setup(setup.plan, bare, setup.links, null);
        handle(b, tcp(b, 40000, Frames.TCP_ACK));
        assertEquals(1, count(Counter.NO_NEIGHBOUR));
        assertTrue(unresolved.contains(RS1) || unresolved.contains(RS2), "asked to resolve " + unresolved);
    }

    @Test
    void udpIsMasqueradedBothWays() {
        MemorySegment b = Frames.buffer();
        int len = Frames.udp(b, DIRECTOR_MAC, CLIENT_MAC, CLIENT, 41000, VIP, 53, 30);
        handle(b, len);
        assertEquals(1, count(Counter.FORWARDED));
        assertEquals(NAT_RS, u32(b, OFF + 30));
        assertEquals(5353, u16(b, OFF + 36));
        assertTrue(Frames.checksumsValid(b, OFF));

        MemorySegment r = Frames.buffer();
        len = Frames.udp(r, DIRECTOR_MAC, 0x02_99_00_00_00_0dL, NAT_RS, 5353, CLIENT, 41000, 60);
        handle(r, len);
        assertEquals(1, count(Counter.REPLIED));
        assertEquals(VIP, u32(r, OFF + 26));
        assertEquals(53, u16(r, OFF + 34));
        assertEquals(CLIENT_MAC, Frames.mac(r, OFF), "back to the MAC the client's frames came from");
        assertTrue(Frames.checksumsValid(r, OFF));
    }

    @Test
    void anIcmpErrorAboutAReplyReachesTheConnectionsRealServer() {
        MemorySegment syn = Frames.buffer();
        handle(syn, tcp(syn, 40000, Frames.TCP_SYN));
        long rs = sent.get(0)[2];
        MemorySegment reply = Frames.buffer();
        Frames.tcp(reply, CLIENT_MAC, rs, VIP, 80, CLIENT, 40000, Frames.TCP_ACK, 0);
        MemorySegment b = Frames.buffer();
        int len = Frames.icmpError(b, DIRECTOR_MAC, CLIENT_MAC, CLIENT, VIP, 3, 4, reply);
        handle(b, len);
        assertEquals(2, count(Counter.FORWARDED));
        assertEquals(rs, sent.get(1)[2]);
    }

    @Test
    void partialChecksumsFromAnOffloadingSenderAreCompleted() {
        MemorySegment b = Frames.buffer();
        int len = tcp(b, 40000, Frames.TCP_SYN);
        // what a local sender with TX offload hands over: the pseudo-header sum only
        int l4 = OFF + 34;
        long pseudo = (CLIENT >>> 16) + (CLIENT & 0xffff) + (VIP >>> 16) + (VIP & 0xffff) + 6 + 30;
        pseudo = (pseudo & 0xffff) + (pseudo >>> 16);
        b.set(Frames.BE16, l4 + 16, (short) pseudo);
        d.handle(setup, eth0, b, OFF, len, PacketSocket.TP_STATUS_CSUMNOTREADY, false);
        assertEquals(1, count(Counter.FORWARDED));
        assertTrue(Frames.checksumsValid(b, OFF));
    }

    /** Each frame ends in exactly one outcome; {@code RECEIVED} and the side effects are not outcomes. */
    private long outcomes() {
        long n = 0;
        for (Counter c : Counter.ALL) {
            if (c != Counter.RECEIVED && c != Counter.ICMP_SENT && c != Counter.SEND_FAILED) {
                n += count(c);
            }
        }
        return n;
    }

    @Test
    void fuzzedFramesNeverThrowAndAreEachCountedOnce() {
        Random rnd = new Random(42);
        int frames = 120_000;
        MemorySegment b = Frames.buffer();
        MemorySegment q = Frames.buffer();
        for (int i = 0; i < frames; i++) {
            b.fill((byte) 0);
            int len = switch (rnd.nextInt(3)) {
                case 0 -> tcp(b, 1024 + rnd.nextInt(60000), rnd.nextInt(256));
                case 1 -> Frames.udp(b, DIRECTOR_MAC, CLIENT_MAC, CLIENT, 1024 + rnd.nextInt(60000), VIP, 53,
                        rnd.nextInt(100));
                default -> Frames.icmpError(b, DIRECTOR_MAC, CLIENT_MAC, CLIENT, VIP, 3, rnd.nextInt(16),
                        quoted(rnd, q));
            };
            len = mutate(rnd, b, len);
            long before = outcomes();
            d.handle(setup, eth0, b, OFF, len, rnd.nextInt(8) == 0 ? rnd.nextInt(32) : 0, rnd.nextInt(500) == 0);
            assertEquals(before + 1, outcomes(), "frame " + i + " counted once");
        }
        assertEquals(frames, count(Counter.RECEIVED));
        long malformed = 0;
        for (Counter c : Counter.ALL) {
            if (c.malformed) {
                assertTrue(count(c) > 0, c + " seen");
                malformed += count(c);
            }
        }
        assertTrue(malformed > frames / 3, "most mutations make a malformed frame: " + malformed);
        assertTrue(count(Counter.FRAGMENT) > 0 && count(Counter.OTHER_PROTOCOL) > 0);
    }

    private static MemorySegment quoted(Random rnd, MemorySegment q) {
        Frames.tcp(q, CLIENT_MAC, RS1_MAC, VIP, 80, CLIENT, 1024 + rnd.nextInt(60000), Frames.TCP_ACK, 0);
        return q;
    }

    /** Breaks a valid frame in one of the ways a hostile or broken sender would; returns the length to hand in. */
    private static int mutate(Random rnd, MemorySegment b, int len) {
        int ip = OFF + 14;
        switch (rnd.nextInt(10)) {
            case 0 -> {
                return rnd.nextInt(len); // cut anywhere, down to nothing
            }
            case 1 -> b.set(ValueLayout.JAVA_BYTE, ip, (byte) ((rnd.nextInt(16) << 4) | rnd.nextInt(16)));
            case 2 -> b.set(Frames.BE16, ip + 2, (short) rnd.nextInt(65536));
            case 3 -> { // options: IHL grows over the transport header, checksum fixed up so it passes
                b.set(ValueLayout.JAVA_BYTE, ip, (byte) (0x40 | (6 + rnd.nextInt(10))));
                fixIpChecksum(b, ip);
            }
            case 4 -> { // a fragment
                b.set(Frames.BE16, ip + 6, (short) (rnd.nextBoolean() ? 0x2000 : rnd.nextInt(0x1fff) + 1));
                fixIpChecksum(b, ip);
            }
            case 5 -> b.set(Frames.BE16, ip + 10, (short) (b.get(Frames.BE16, ip + 10) + 1)); // bad checksum
            case 6 -> { // another protocol, or a lying transport length
                if (rnd.nextBoolean()) {
                    b.set(ValueLayout.JAVA_BYTE, ip + 9, (byte) rnd.nextInt(256));
                } else {
                    b.set(Frames.BE16, ip + 20 + 4, (short) rnd.nextInt(65536));
                    b.set(ValueLayout.JAVA_BYTE, ip + 20 + 12, (byte) rnd.nextInt(256));
                }
                fixIpChecksum(b, ip);
            }
            case 7 -> { // random bytes anywhere in the headers
                for (int k = 0; k < 4; k++) {
                    b.set(ValueLayout.JAVA_BYTE, OFF + rnd.nextInt(Math.min(len, 80)), (byte) rnd.nextInt(256));
                }
            }
            case 8 -> b.set(Frames.BE16, OFF + 12, (short) (rnd.nextBoolean() ? 0x8100 : rnd.nextInt(65536)));
            default -> b.set(ValueLayout.JAVA_BYTE, OFF + rnd.nextInt(6), (byte) rnd.nextInt(256)); // not our MAC
        }
        return len;
    }

    private static void fixIpChecksum(MemorySegment b, int ip) {
        int hl = (b.get(ValueLayout.JAVA_BYTE, ip) & 0xf) * 4;
        b.set(Frames.BE16, ip + 10, (short) 0);
        b.set(Frames.BE16, ip + 10, (short) Packet.checksum(b, ip, hl, 0));
    }
}
