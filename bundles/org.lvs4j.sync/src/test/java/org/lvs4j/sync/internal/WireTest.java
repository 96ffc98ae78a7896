package org.lvs4j.sync.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.lvs4j.api.ConnectionState;
import org.lvs4j.api.sync.SyncedConnection;

/** IPVS's sync v1 layout byte for byte, lvs4j's trailer and resync request, and refusals of bad messages. */
class WireTest {

    private static final Wire.Key KEY = new Wire.Key("0123456789abcdef-secret".getBytes(StandardCharsets.UTF_8));

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static SyncedConnection conn(String client, int cport) {
        return new SyncedConnection(6, SyncedConnection.FWD_DROUTE | SyncedConnection.NO_OUTPUT,
                ConnectionState.ESTABLISHED, ip(client), cport, ip("10.0.0.100"), 80, ip("10.0.0.11"), 80, 0, 900);
    }

    private static byte[] bytes(ByteBuffer unsigned) {
        ByteBuffer b = unsigned.flip();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void aDirectRoutedConnectionIsLaidOutAsIpvsDoes() throws Exception {
        List<ByteBuffer> m = Wire.encode(7, List.of(conn("10.0.0.50", 40000)), 1472);
        assertEquals(1, m.size());
        String expected = ""
                // header: reserved, syncid 7, size 44, 1 record, version 1, spare 0
                + "00" + "07" + "002c" + "01" + "01" + "0000"
                // record: type 0 (IPv4), TCP, ver_size 36, flags DROUTE|NOOUTPUT, state ESTABLISHED
                + "00" + "06" + "0024" + "00000083" + "0001"
                // cport 40000, vport 80, dport 80, fwmark 0, timeout 900
                + "9c40" + "0050" + "0050" + "00000000" + "00000384"
                // caddr 10.0.0.50, vaddr 10.0.0.100, daddr 10.0.0.11
                + "0a000032" + "0a000064" + "0a00000b";
        assertEquals(expected, HexFormat.of().formatHex(bytes(m.get(0))));
    }

    @Test
    void recordsRoundTripInBothFamilies() throws Exception {
        SyncedConnection v4 = conn("10.0.0.50", 40000);
        SyncedConnection udp = new SyncedConnection(17, SyncedConnection.FWD_MASQ | SyncedConnection.INACTIVE,
                ConnectionState.UDP, ip("10.0.0.51"), 5353, ip("10.0.0.100"), 53, ip("10.0.0.12"), 53, 0, 300);
        SyncedConnection v6 = new SyncedConnection(6, SyncedConnection.FWD_TUNNEL | SyncedConnection.TEMPLATE,
                ConnectionState.NONE, ip("2001:db8::"), 0, ip("2001:db8::100"), 443, ip("2001:db8::11"), 443, 0,
                360);
        byte[] d = bytes(Wire.encode(0, List.of(v4, udp, v6), 1472).get(0));
        assertEquals(8 + 36 + 36 + 72, d.length);
        Wire.Message m = Wire.decode(d, d.length);
        assertEquals(List.of(v4, udp, v6), m.records());
    }

    @Test
    void messagesStayWithinTheLengthAndTheRecordCount() throws Exception {
        List<SyncedConnection> many = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            many.add(conn("10.0.0.50", 1024 + i));
        }
        List<ByteBuffer> small = Wire.encode(1, many, 1472);
        assertEquals(25, small.size(), "40 records of 36 bytes fit in 1472");
        for (ByteBuffer b : small) {
            assertTrue(b.position() <= 1472);
        }
        List<ByteBuffer> large = Wire.encode(1, many, 65000);
        assertEquals(4, large.size(), "at most 255 records per message (nr_conns is one byte)");
        int total = 0;
        for (ByteBuffer b : large) {
            byte[] d = bytes(b);
            total += Wire.decode(d, d.length).records().size();
        }
        assertEquals(1000, total);
    }

    @Test
    void optionsAreSkippedAndRecordsRealigned() throws Exception {
        // A record carrying a 3-byte persistence-engine name option (type 3): 36 + 2 + 3 = 41 bytes, the next record
        // starting at the following 4-byte boundary, as IPVS pads.
        byte[] first = bytes(Wire.encode(0, List.of(conn("10.0.0.50", 1)), 1472).get(0));
        byte[] second = bytes(Wire.encode(0, List.of(conn("10.0.0.50", 2)), 1472).get(0));
        ByteBuffer b = ByteBuffer.allocate(8 + 44 + 36);
        b.put(first, 0, 8).put(first, 8, 36).put(new byte[] {3, 3, 's', 'i', 'p'}).put(new byte[3]);
        b.put(second, 8, 36);
        byte[] d = b.array();
        d[2] = 0;
        d[3] = (byte) d.length;
        d[4] = 2;
        d[8 + 3] = 41; // the first record's size includes its option
        List<SyncedConnection> r = Wire.decode(d, d.length).records();
        assertEquals(List.of(1, 2), r.stream().map(SyncedConnection::clientPort).toList());
    }

    @Test
    void badMessagesAreRefusedWithTheirReason() {
        byte[] good = bytes(Wire.encode(0, List.of(conn("10.0.0.50", 1)), 1472).get(0));
        assertRefused("version", "a version 0 message", mutate(good, 0, 1));
        assertRefused("version", "version 2", mutate(good, 5, 2));
        assertRefused("malformed", "size field 45 but 44 bytes received", mutate(good, 3, 45));
        assertRefused("malformed", "record 2 is cut short", mutate(good, 4, 2));
        assertRefused("malformed", "record 1 has version 1", mutate(good, 10, 0x10));
        assertRefused("malformed", "record 1 claims 200 bytes", mutate(good, 11, 200));
        assertRefused("malformed", "record 1: state 11", mutate(good, 17, 11));
        byte[] udpState = mutate(mutate(good, 9, 17), 17, 2);
        assertRefused("malformed", "record 1: UDP state 2", udpState);
        assertRefused("malformed", "message of 4 bytes is shorter than its header", new byte[4]);
    }

    private static byte[] mutate(byte[] d, int at, int value) {
        byte[] c = d.clone();
        c[at] = (byte) value;
        return c;
    }

    private static void assertRefused(String reason, String detail, byte[] d) {
        Wire.BadMessage e = assertThrows(Wire.BadMessage.class, () -> Wire.decode(d, d.length));
        assertEquals(reason, e.reason);
        assertTrue(e.getMessage().startsWith(detail), e.getMessage());
    }

    @Test
    void aResyncRequestIsAnEmptyMessageWithSpareOne() throws Exception {
        byte[] d = bytes(Wire.resyncRequest(9));
        assertEquals("0009000800010001", HexFormat.of().formatHex(d));
        Wire.Message m = Wire.decode(d, d.length);
        assertTrue(m.resyncRequest());
        assertEquals(9, m.syncId());
    }

    @Test
    void theTrailerSignsTheMessageAndCarriesItsFreshness() throws Exception {
        ByteBuffer signed = Wire.sign(Wire.encode(3, List.of(conn("10.0.0.50", 1)), 1472 - Wire.TRAILER).get(0),
                KEY, 1234L, 56L);
        byte[] d = new byte[signed.remaining()];
        signed.get(d);
        assertEquals(44 + Wire.TRAILER, d.length);
        Wire.Freshness f = Wire.verify(d, d.length, KEY);
        assertEquals(new Wire.Freshness(1234L, 56L), f);
        assertEquals(1, Wire.decode(d, d.length - Wire.TRAILER).records().size());

        Wire.Key other = new Wire.Key("another-secret-of-16+".getBytes(StandardCharsets.UTF_8));
        assertEquals("bad signature", assertThrows(Wire.BadMessage.class, () -> Wire.verify(d, d.length, other))
                .reason);
        for (int i = 0; i < d.length; i++) {
            byte[] flipped = mutate(d, i, d[i] ^ 0x01);
            Wire.BadMessage e = assertThrows(Wire.BadMessage.class, () -> Wire.verify(flipped, flipped.length, KEY));
            assertTrue(e.reason.equals("bad signature") || e.reason.equals("unsigned"), e.reason);
        }
        byte[] plain = bytes(Wire.encode(3, List.of(conn("10.0.0.50", 1)), 1472).get(0));
        assertEquals("unsigned", assertThrows(Wire.BadMessage.class, () -> Wire.verify(plain, plain.length, KEY))
                .reason);
    }

    @Test
    void twentyThousandMutatedMessagesAreRefusedOrParsedNeverThrowOtherwise() {
        List<SyncedConnection> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            records.add(conn("10.0.0.50", 1000 + i));
        }
        records.add(new SyncedConnection(6, 0, ConnectionState.NONE, ip("2001:db8::1"), 1, ip("2001:db8::100"), 80,
                ip("2001:db8::11"), 80, 0, 60));
        byte[] good = bytes(Wire.encode(0, records, 1472).get(0));
        Random random = new Random(42);
        int refused = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] d = good.clone();
            int length = random.nextInt(4) == 0 ? random.nextInt(d.length + 1) : d.length;
            for (int k = random.nextInt(4) + 1; k > 0; k--) {
                d[random.nextInt(d.length)] = (byte) random.nextInt(256);
            }
            try {
                Wire.decode(d, length);
            } catch (Wire.BadMessage e) {
                refused++;
            }
        }
        assertTrue(refused > 5_000, "most mutations are caught: " + refused);
    }

    @Test
    void theGoldenRecordDecodesToWhatWasSent() throws Exception {
        byte[] d = HexFormat.of().parseHex("0007002c01010000" + "000600240000008300019c40005000500000000000000384"
                + "0a0000320a0000640a00000b");
        assertArrayEquals(bytes(Wire.encode(7, List.of(conn("10.0.0.50", 40000)), 1472).get(0)), d);
        assertEquals(conn("10.0.0.50", 40000), Wire.decode(d, d.length).records().get(0));
    }
}
