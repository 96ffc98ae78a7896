package org.lvs4j.packet.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One interface the engine uses: its identity, its AF_PACKET socket (null in tests), and the client MACs learned from
 * frames that arrived on it.
 *
 * <p>The learned table is direct-mapped by the low 16 bits of the client address and stores the other 16 bits beside
 * the MAC in one long, so a slot is written and read atomically and can never pair an address with another
 * client's MAC.
 */
final class Link {

    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);

    final String name;
    final int index;
    final long mac;
    final int mtu;
    /** The director's first IPv4 address on this interface (0 if none). */
    final int address;
    final PacketSocket socket;
    private final long[] learned = new long[1 << 16];

    Link(String name, int index, long mac, int mtu, int address, PacketSocket socket) {
        this.name = name;
        this.index = index;
        this.mac = mac;
        this.mtu = mtu;
        this.address = address;
        this.socket = socket;
    }

    /** Remembers the MAC a client's frame came from. */
    void learn(int ip, long sourceMac) {
        long v = ((long) (ip >>> 16) << 48) | (sourceMac & 0xffff_ffff_ffffL);
        int slot = ip & 0xffff;
        if ((long) SLOTS.getOpaque(learned, slot) != v) {
            SLOTS.setOpaque(learned, slot, v);
        }
    }

    /** The MAC a client's frames came from, or 0. */
    long learned(int ip) {
        long v = (long) SLOTS.getOpaque(learned, ip & 0xffff);
        return v != 0 && (int) (v >>> 48) == (ip >>> 16) ? v & 0xffff_ffff_ffffL : 0;
    }

    @Override
    public String toString() {
        return name;
    }
}
