/*
 * IPVS's sync protocol version 1 (net/netfilter/ipvs/ip_vs_sync.c), byte for byte, plus lvs4j's two extensions.
 *
 * A message is an 8-byte header and up to 255 records:
 *
 *   header   u8 reserved (0) | u8 syncid | be16 size (whole message) | u8 nr_conns | s8 version (1) | be16 spare
 *   record   u8 type (bit 0: IPv6) | u8 protocol | be16 ver_size (version 0 in the top 4 bits, record size below) |
 *            be32 flags | be16 state | be16 cport | be16 vport | be16 dport | be32 fwmark | be32 timeout (s) |
 *            caddr | vaddr | daddr (4 or 16 bytes each), then options (u8 type | u8 len | data) to the record size
 *
 * Records start on 4-byte boundaries (IPVS pads with zeros). A v0 message starts with nr_conns where v1 has the
 * reserved zero byte, so a non-zero first byte is a v0 message, which lvs4j refuses as IPVS's v1 receivers do.
 * Flag bits 16 and up are never sent, and a receiver ignores them. Options are skipped: sequence-number deltas
 * (type 1) do not arise in lvs4j, which never rewrites TCP payloads, and persistence-engine data (2, 3) has no use
 * without --pe.
 *
 * Extensions, both invisible to a kernel backup that is not asked to understand them:
 *  - resync request: a header without records whose spare field is 1; a master answers with its whole table.
 *    A kernel ignores the spare field and finds nothing to do.
 *  - HMAC trailer, only when a key is configured: after the message's `size` bytes come "LVS4", be64 generation,
 *    be64 sequence and HMAC-SHA256 over everything before it. A kernel drops such a datagram (its length is not
 *    `size`), so keyed sync is between lvs4j directors only.
 */
package org.lvs4j.sync.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.lvs4j.api.ConnectionState;
import org.lvs4j.api.sync.SyncedConnection;

final class Wire {

    static final int HEADER = 8;
    static final int V4_RECORD = 36;
    static final int V6_RECORD = 72;
    static final int MAX_RECORDS = 255;
    static final int SPARE_RESYNC = 1;
    private static final byte[] MAGIC = "LVS4".getBytes(StandardCharsets.US_ASCII);
    static final int MAC_LENGTH = 32;
    static final int TRAILER = MAGIC.length + 8 + 8 + MAC_LENGTH;
    private static final int UDP_STATE = 0; // IP_VS_UDP_S_NORMAL
    private static final int TCP_STATES = 11; // NONE .. SYNACK

    private Wire() {
    }

    /** A message refused, with the reason it is counted under. */
    static final class BadMessage extends Exception {
        final String reason;

        BadMessage(String reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }
    }

    /** A decoded message: its sync id, whether it asks for a resync, and its records. */
    record Message(int syncId, boolean resyncRequest, List<SyncedConnection> records) {
    }

    /** The key that signs and checks messages, or none. */
    static final class Key {
        private final SecretKeySpec spec;

        Key(byte[] secret) {
            this.spec = new SecretKeySpec(secret, "HmacSHA256");
        }

        byte[] mac(byte[] data, int length) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(spec);
                mac.update(data, 0, length);
                return mac.doFinal();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
            }
        }
    }

    /**
     * Splits records into messages of at most {@code maxLength} bytes. Each buffer's position is the message's end:
     * {@link #sign} it, or flip it to send it unsigned.
     */
    static List<ByteBuffer> encode(int syncId, List<SyncedConnection> records, int maxLength) {
        List<ByteBuffer> out = new ArrayList<>();
        ByteBuffer b = null;
        int count = 0;
        for (SyncedConnection r : records) {
            int len = r.client() instanceof Inet6Address ? V6_RECORD : V4_RECORD;
            if (b == null || count == MAX_RECORDS || b.position() + len > maxLength) {
                if (b != null) {
                    out.add(finish(b, count));
                }
                b = ByteBuffer.allocate(Math.max(maxLength, HEADER + V6_RECORD) + TRAILER);
                b.put((byte) 0).put((byte) syncId).putShort((short) 0).put((byte) 0).put((byte) 1).putShort((short) 0);
                count = 0;
            }
            put(b, r, len);
            count++;
        }
        if (b != null) {
            out.add(finish(b, count));
        }
        return out;
    }

    /** A resync request: a header without records, spare = 1. */
    static ByteBuffer resyncRequest(int syncId) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + TRAILER);
        b.put((byte) 0).put((byte) syncId).putShort((short) HEADER).put((byte) 0).put((byte) 1)
                .putShort((short) SPARE_RESYNC);
        return b;
    }

    private static ByteBuffer finish(ByteBuffer b, int count) {
        b.putShort(2, (short) b.position());
        b.put(4, (byte) count);
        return b;
    }

    private static void put(ByteBuffer b, SyncedConnection r, int len) {
        boolean v6 = len == V6_RECORD;
        b.put((byte) (v6 ? 1 : 0));
        b.put((byte) r.protocol());
        b.putShort((short) len); // version 0 in the top 4 bits
        b.putInt(r.flags() & 0xffff);
        b.putShort((short) (r.protocol() == 17 ? UDP_STATE : r.state().ordinal()));
        b.putShort((short) r.clientPort());
        b.putShort((short) r.virtualPort());
        b.putShort((short) r.destinationPort());
        b.putInt(r.fwmark());
        b.putInt(r.timeoutSeconds());
        b.put(r.client().getAddress());
        b.put(r.virtual().getAddress());
        b.put(r.destination().getAddress());
    }

    /** Appends the trailer to a message whose bytes end at the buffer's position; returns it ready to send. */
    static ByteBuffer sign(ByteBuffer b, Key key, long generation, long sequence) {
        b.put(MAGIC).putLong(generation).putLong(sequence);
        b.put(key.mac(b.array(), b.position()));
        return b.flip();
    }

    /** The sender's generation and sequence from a checked trailer. */
    record Freshness(long generation, long sequence) {
    }

    /**
     * Checks a datagram's trailer against the key; returns the freshness it carries. The message proper is then the
     * first {@code length - TRAILER} bytes.
     */
    static Freshness verify(byte[] d, int length, Key key) throws BadMessage {
        if (length < HEADER + TRAILER) {
            throw new BadMessage("unsigned", "no HMAC trailer (" + length + " bytes)");
        }
        int t = length - TRAILER;
        if (!Arrays.equals(d, t, t + MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new BadMessage("unsigned", "no HMAC trailer");
        }
        byte[] expected = key.mac(d, length - MAC_LENGTH);
        if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(d, length - MAC_LENGTH, length))) {
            throw new BadMessage("bad signature", "HMAC does not match: forged, damaged or another key");
        }
        ByteBuffer b = ByteBuffer.wrap(d, t + MAGIC.length, 16);
        return new Freshness(b.getLong(), b.getLong());
    }

    /** Parses a message of exactly {@code length} bytes, checking every field before it is used. */
    static Message decode(byte[] d, int length) throws BadMessage {
        if (length < HEADER) {
            throw new BadMessage("malformed", "message of " + length + " bytes is shorter than its header");
        }
        ByteBuffer b = ByteBuffer.wrap(d, 0, length);
        int reserved = b.get() & 0xff;
        int syncId = b.get() & 0xff;
        int size = b.getShort() & 0xffff;
        int count = b.get() & 0xff;
        int version = b.get();
        int spare = b.getShort() & 0xffff;
        if (reserved != 0) {
            throw new BadMessage("version", "a version 0 message (lvs4j speaks version 1)");
        }
        if (version != 1) {
            throw new BadMessage("version", "version " + version + " (lvs4j speaks version 1)");
        }
        if (size != length) {
            throw new BadMessage("malformed", "size field " + size + " but " + length + " bytes received");
        }
        if (spare == SPARE_RESYNC && count == 0) {
            return new Message(syncId, true, List.of());
        }
        List<SyncedConnection> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int aligned = (b.position() + 3) & ~3;
            if (aligned > length) {
                throw new BadMessage("malformed", "record " + (i + 1) + " of " + count + " is missing");
            }
            b.position(aligned);
            records.add(record(b, i + 1));
        }
        if (b.hasRemaining()) {
            throw new BadMessage("malformed", (b.remaining()) + " bytes after record " + count);
        }
        return new Message(syncId, false, records);
    }

    private static SyncedConnection record(ByteBuffer b, int n) throws BadMessage {
        int start = b.position();
        if (b.remaining() < V4_RECORD) {
            throw new BadMessage("malformed", "record " + n + " is cut short");
        }
        int type = b.get() & 0xff;
        boolean v6 = (type & 1) != 0;
        int protocol = b.get() & 0xff;
        int verSize = b.getShort() & 0xffff;
        int recordVersion = verSize >>> 12;
        int size = verSize & 0x0fff;
        int base = v6 ? V6_RECORD : V4_RECORD;
        if (recordVersion != 0) {
            throw new BadMessage("malformed", "record " + n + " has version " + recordVersion);
        }
        if (size < base || size > b.remaining() + 4) {
            throw new BadMessage("malformed", "record " + n + " claims " + size + " bytes");
        }
        int flags = b.getInt() & 0xffff; // bits 16+ are local to the sender
        int state = b.getShort() & 0xffff;
        int cport = b.getShort() & 0xffff;
        int vport = b.getShort() & 0xffff;
        int dport = b.getShort() & 0xffff;
        int fwmark = b.getInt();
        long timeout = b.getInt() & 0xffffffffL;
        InetAddress client = address(b, v6);
        InetAddress virtual = address(b, v6);
        InetAddress destination = address(b, v6);
        ConnectionState s;
        if (protocol == 17) {
            if (state != UDP_STATE) {
                throw new BadMessage("malformed", "record " + n + ": UDP state " + state);
            }
            s = ConnectionState.UDP;
        } else if (state < TCP_STATES) {
            s = ConnectionState.values()[state];
        } else {
            throw new BadMessage("malformed", "record " + n + ": state " + state);
        }
        // Options: each u8 type, u8 length, data, inside the record's size; none is needed here.
        int end = start + size;
        while (b.position() < end) {
            if (end - b.position() < 2) {
                throw new BadMessage("malformed", "record " + n + ": truncated option");
            }
            b.get();
            int optLength = b.get() & 0xff;
            if (optLength > end - b.position()) {
                throw new BadMessage("malformed", "record " + n + ": option longer than the record");
            }
            b.position(b.position() + optLength);
        }
        return new SyncedConnection(protocol, flags, s, client, cport, virtual, vport, destination, dport, fwmark,
                (int) Math.min(timeout, Integer.MAX_VALUE));
    }

    private static InetAddress address(ByteBuffer b, boolean v6) {
        byte[] a = new byte[v6 ? 16 : 4];
        b.get(a);
        try {
            return InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are an address", e);
        }
    }
}
