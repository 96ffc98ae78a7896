package org.lvs4j.api;

/**
 * The five numbers IPVS keeps per service and real server: totals for {@code --stats}, smoothed per-second values
 * for {@code --rate} (then {@code conns} is connections per second, and so on).
 */
public record Counters(long conns, long inPackets, long outPackets, long inBytes, long outBytes) {

    public static final Counters ZERO = new Counters(0, 0, 0, 0, 0);
}
