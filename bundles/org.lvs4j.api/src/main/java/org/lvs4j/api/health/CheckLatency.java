package org.lvs4j.api.health;

import java.util.Arrays;

/**
 * How long one real server's checks took, from the start of a check to its result, since the monitor began checking
 * the server: a histogram with Prometheus's cumulative buckets.
 *
 * @param count     checks finished
 * @param failed    of which failed
 * @param sumNanos  their total duration
 * @param lastNanos the last one's duration (0 before the first)
 * @param buckets   {@code buckets[i]} checks took at most {@link #BOUNDS_NANOS}{@code [i]}; checks beyond the last
 *                  bound are only in {@code count}
 */
public record CheckLatency(long count, long failed, long sumNanos, long lastNanos, long[] buckets) {

    /** The buckets' upper bounds: 1 ms to 10 s, as a check's timeout is usually a few seconds. */
    public static final long[] BOUNDS_NANOS = {1_000_000L, 2_500_000L, 5_000_000L, 10_000_000L, 25_000_000L,
        50_000_000L, 100_000_000L, 250_000_000L, 500_000_000L, 1_000_000_000L, 2_500_000_000L, 5_000_000_000L,
        10_000_000_000L};

    /** Nothing checked yet. */
    public static final CheckLatency NONE = new CheckLatency(0, 0, 0, 0, new long[BOUNDS_NANOS.length]);

    public CheckLatency {
        if (buckets.length != BOUNDS_NANOS.length) {
            throw new IllegalArgumentException("a check latency needs " + BOUNDS_NANOS.length + " buckets");
        }
        buckets = buckets.clone();
    }

    @Override
    public long[] buckets() {
        return buckets.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CheckLatency l && l.count == count && l.failed == failed && l.sumNanos == sumNanos
                && l.lastNanos == lastNanos && Arrays.equals(l.buckets, buckets);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(count) * 31 + Arrays.hashCode(buckets);
    }

    @Override
    public String toString() {
        return "CheckLatency[count=" + count + ", failed=" + failed + ", sumNanos=" + sumNanos + ", lastNanos="
                + lastNanos + ", buckets=" + Arrays.toString(buckets) + "]";
    }
}
