package org.lvs4j.scheduler.support;

/** Linux's {@code hash_32} ({@code include/linux/hash.h}), as sh and dh use it. */
public final class Hashing {

    /** {@code GOLDEN_RATIO_32}, Linux 4.7 and later. */
    public static final int GOLDEN_RATIO_32 = 0x61C88647;

    private Hashing() {
    }

    /** {@code hash_32(val, bits)}: the top {@code bits} bits of {@code val * GOLDEN_RATIO_32}. */
    public static int hash32(int val, int bits) {
        return (val * GOLDEN_RATIO_32) >>> (32 - bits);
    }

    /** An IPv4 address as the host-order number {@code ntohl} gives; IPv6 addresses fold their four words by XOR. */
    public static int addressWord(java.net.InetAddress a) {
        if (a instanceof java.net.Inet4Address) {
            return a.hashCode(); // the address itself, without copying it
        }
        byte[] b = a.getAddress();
        int w = 0;
        for (int i = 0; i < b.length; i += 4) {
            w ^= ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
        }
        return w;
    }
}
