/*
 * SipHash for messages shorter than 8 bytes, as Linux's hsiphash computes it on 64-bit machines.
 *
 * Linux's hsiphash is HalfSipHash-1-3 on 32-bit machines, but on 64-bit ones "HalfSipHash1-3 actually is SipHash1-3"
 * (lib/siphash.c): four 64-bit lanes initialised from the constants "somepseudorandomlygeneratedbytes" XOR the two
 * 64-bit key halves, the message (with its length in the top byte) mixed in by c rounds, then 0xff into v2 and d
 * rounds, and the XOR of the lanes truncated to 32 bits. The round function is the standard SipRound.
 */
package org.lvs4j.scheduler.mh;

final class SipHash {

    private SipHash() {
    }

    /** hsiphash of one 32-bit word (hsiphash_1u32, i.e. SipHash-1-3), truncated to 32 bits as the kernel does. */
    static int hsiphash32(int word, long k0, long k1) {
        return (int) hash(k0, k1, (4L << 56) | (word & 0xffffffffL), 1, 3);
    }

    /**
     * SipHash-c-d of a message under 8 bytes whose last block, length byte included, is {@code b}.
     */
    static long hash(long k0, long k1, long b, int c, int d) {
        long v0 = 0x736f6d6570736575L ^ k0;
        long v1 = 0x646f72616e646f6dL ^ k1;
        long v2 = 0x6c7967656e657261L ^ k0;
        long v3 = 0x7465646279746573L ^ k1;
        v3 ^= b;
        for (int i = 0; i < c; i++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        v0 ^= b;
        v2 ^= 0xff;
        for (int i = 0; i < d; i++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}
