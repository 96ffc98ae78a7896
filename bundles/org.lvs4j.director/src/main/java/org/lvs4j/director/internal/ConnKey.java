package org.lvs4j.director.internal;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The lookup key of a connection-table entry: protocol number, client address and port, virtual address and port,
 * and whether it is a persistence template (templates have client port 0).
 *
 * <p>Addresses are kept as numbers, not {@link InetAddress} objects, and {@link Connection} extends this class and is
 * its own key in the table: an entry that lingers in TIME_WAIT for two minutes is then a few objects rather than a
 * dozen, which is what the garbage collector and the CPU caches pay for at thousands of connections per second.
 */
class ConnKey {

    // Not final only so that a per-thread probe key can be refilled for lookups (see set4); keys in a table never
    // change.
    int protocol;
    int clientPort;
    int virtualPort;
    boolean template;
    /** IPv4 addresses are {@code (0, address)}; IPv6 ones their two halves; {@code v6} tells them apart. */
    private boolean v6;
    private long client0;
    private long client1;
    private long virtual0;
    private long virtual1;
    private int hash;

    /** A probe key, filled by {@link #set4} before each lookup. */
    ConnKey() {
    }

    ConnKey(int protocol, InetAddress client, int clientPort, InetAddress virtual, int virtualPort, boolean template) {
        this.protocol = protocol;
        this.clientPort = clientPort;
        this.virtualPort = virtualPort;
        this.template = template;
        this.v6 = !(client instanceof Inet4Address);
        if (v6) {
            byte[] c = client.getAddress();
            byte[] v = virtual.getAddress();
            this.client0 = half(c, 0);
            this.client1 = half(c, 8);
            this.virtual0 = half(v, 0);
            this.virtual1 = half(v, 8);
        } else {
            // Inet4Address.hashCode() is the address itself, read without copying it into a new array.
            this.client0 = 0;
            this.client1 = client.hashCode() & 0xffffffffL;
            this.virtual0 = 0;
            this.virtual1 = virtual.hashCode() & 0xffffffffL;
        }
        this.hash = hash();
    }

    /** Refills a probe key with an IPv4 connection's endpoints (addresses as ints in network order). */
    ConnKey set4(int protocol, int client, int clientPort, int virtual, int virtualPort) {
        this.protocol = protocol;
        this.clientPort = clientPort;
        this.virtualPort = virtualPort;
        this.template = false;
        this.v6 = false;
        this.client0 = 0;
        this.client1 = client & 0xffffffffL;
        this.virtual0 = 0;
        this.virtual1 = virtual & 0xffffffffL;
        this.hash = hash();
        return this;
    }

    private int hash() {
        int h = protocol;
        h = 31 * h + Long.hashCode(client1 * 0x9E3779B97F4A7C15L + client0);
        h = 31 * h + clientPort;
        h = 31 * h + Long.hashCode(virtual1 * 0x9E3779B97F4A7C15L + virtual0);
        h = 31 * h + virtualPort;
        return template ? ~h : h;
    }

    /** A copy, for an entry made from a lookup key. */
    ConnKey(ConnKey k) {
        this.protocol = k.protocol;
        this.clientPort = k.clientPort;
        this.virtualPort = k.virtualPort;
        this.template = k.template;
        this.v6 = k.v6;
        this.client0 = k.client0;
        this.client1 = k.client1;
        this.virtual0 = k.virtual0;
        this.virtual1 = k.virtual1;
        this.hash = k.hash;
    }

    private static long half(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    @Override
    public final int hashCode() {
        return hash;
    }

    @Override
    public final boolean equals(Object o) {
        return o instanceof ConnKey k && hash == k.hash && clientPort == k.clientPort && virtualPort == k.virtualPort
                && client1 == k.client1 && virtual1 == k.virtual1 && protocol == k.protocol
                && template == k.template && v6 == k.v6 && client0 == k.client0 && virtual0 == k.virtual0;
    }

    InetAddress client() {
        return address(client0, client1);
    }

    InetAddress virtual() {
        return address(virtual0, virtual1);
    }

    int clientPort() {
        return clientPort;
    }

    int virtualPort() {
        return virtualPort;
    }

    private InetAddress address(long hi, long lo) {
        byte[] b;
        if (v6) {
            b = new byte[16];
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (hi >>> (56 - 8 * i));
                b[8 + i] = (byte) (lo >>> (56 - 8 * i));
            }
        } else {
            b = new byte[] {(byte) (lo >>> 24), (byte) (lo >>> 16), (byte) (lo >>> 8), (byte) lo};
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
