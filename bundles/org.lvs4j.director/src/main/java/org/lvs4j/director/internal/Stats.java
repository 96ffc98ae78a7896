package org.lvs4j.director.internal;

import java.util.concurrent.atomic.LongAdder;

import org.lvs4j.api.Counters;

/**
 * Counters and rate estimator of one service or real server, after IPVS's {@code ip_vs_stats} and ip_vs_est.c.
 *
 * <p>Counting is a {@link LongAdder} increment, cheap on any thread. Every 2 seconds {@link #estimate()} takes the
 * totals and updates exponentially weighted averages with weight 1/4 (avg += (rate - avg) / 4), kept scaled by
 * 2^10 for connections and packets and by 2^5 for bytes, exactly as the kernel does; {@link #rates()} rounds them back
 * to per-second values with the kernel's rounding. Zeroing records the current totals as the zero point and restarts
 * the averages, so reported totals are "totals minus zero point" (IPVS's {@code kstats0}).
 */
final class Stats {

    private final LongAdder conns = new LongAdder();
    private final LongAdder inPackets = new LongAdder();
    private final LongAdder outPackets = new LongAdder();
    private final LongAdder inBytes = new LongAdder();
    private final LongAdder outBytes = new LongAdder();

    // Zero point and estimator state, guarded by this.
    private long zeroConns;
    private long zeroInPackets;
    private long zeroOutPackets;
    private long zeroInBytes;
    private long zeroOutBytes;
    private long lastConns;
    private long lastInPackets;
    private long lastOutPackets;
    private long lastInBytes;
    private long lastOutBytes;
    private long cps;
    private long inPps;
    private long outPps;
    private long inBps;
    private long outBps;

    void connection() {
        conns.increment();
    }

    void in(long bytes) {
        inPackets.increment();
        inBytes.add(bytes);
    }

    void out(long bytes) {
        outPackets.increment();
        outBytes.add(bytes);
    }

    /** Totals since the last zeroing. */
    synchronized Counters totals() {
        return new Counters(conns.sum() - zeroConns, inPackets.sum() - zeroInPackets,
                outPackets.sum() - zeroOutPackets, inBytes.sum() - zeroInBytes, outBytes.sum() - zeroOutBytes);
    }

    /** One estimator step; call every 2 seconds. */
    synchronized void estimate() {
        long c = conns.sum();
        long ip = inPackets.sum();
        long op = outPackets.sum();
        long ib = inBytes.sum();
        long ob = outBytes.sum();
        // Scaled by 2^10 but measured over 2 s: << 9. Bytes are scaled by 2^5: << 4.
        cps += (((c - lastConns) << 9) - cps) >> 2;
        inPps += (((ip - lastInPackets) << 9) - inPps) >> 2;
        outPps += (((op - lastOutPackets) << 9) - outPps) >> 2;
        inBps += (((ib - lastInBytes) << 4) - inBps) >> 2;
        outBps += (((ob - lastOutBytes) << 4) - outBps) >> 2;
        lastConns = c;
        lastInPackets = ip;
        lastOutPackets = op;
        lastInBytes = ib;
        lastOutBytes = ob;
    }

    /** The smoothed per-second rates, rounded as ip_vs_read_estimator does. */
    synchronized Counters rates() {
        return new Counters((cps + 0x1FF) >> 10, (inPps + 0x1FF) >> 10, (outPps + 0x1FF) >> 10,
                (inBps + 0xF) >> 5, (outBps + 0xF) >> 5);
    }

    /** {@code ipvsadm -Z}: the current totals become the zero point and the rates restart from 0. */
    synchronized void zero() {
        zeroConns = lastConns = conns.sum();
        zeroInPackets = lastInPackets = inPackets.sum();
        zeroOutPackets = lastOutPackets = outPackets.sum();
        zeroInBytes = lastInBytes = inBytes.sum();
        zeroOutBytes = lastOutBytes = outBytes.sum();
        cps = inPps = outPps = inBps = outBps = 0;
    }
}
