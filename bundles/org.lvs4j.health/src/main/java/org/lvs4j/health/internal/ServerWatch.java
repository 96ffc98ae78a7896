package org.lvs4j.health.internal;

import java.time.Instant;

import org.lvs4j.api.AdminState;
import org.lvs4j.api.health.CheckLatency;

/**
 * The health of one real server (or a service's fallback) and what the monitor has put in the table for it. Only the
 * monitor's thread touches it.
 */
final class ServerWatch {

    enum State {
        /** Not checked yet. */
        PENDING,
        /** Passed {@code rise} checks in a row: in the table with its weight (ramping up during slow start). */
        UP,
        /** Failed {@code failurecount} checks in a row: out of the table, or at weight 0 when quiescent. */
        DOWN
    }

    LdirectordConfig.Real real;
    State state = State.PENDING;
    int failures;
    int successes;
    String reason = "not checked yet";
    Instant since = Instant.now();
    /** The weight the monitor last put in the table; -1 when the server is not in the table. */
    int weight = -1;
    /** When slow start began (monitor clock, ns), or 0 when not ramping. */
    long rampStart;
    /** The operator's admin state, remembered when the monitor takes the server out, given back when it returns. */
    AdminState adminState = AdminState.READY;
    /** A check is running. */
    boolean checking;
    /** Checks done, for {@code checktype = N}: connect N times, then negotiate. */
    long rounds;
    java.util.concurrent.ScheduledFuture<?> next;
    /** Check durations since the server was first checked (CheckLatency's buckets, not yet cumulative). */
    private final long[] latencyBuckets = new long[CheckLatency.BOUNDS_NANOS.length];
    private long checked;
    private long checksFailed;
    private long latencySum;
    private long latencyLast;

    ServerWatch(LdirectordConfig.Real real) {
        this.real = real;
    }

    /** Counts one finished check. */
    void checked(long nanos, boolean up) {
        checked++;
        if (!up) {
            checksFailed++;
        }
        latencySum += nanos;
        latencyLast = nanos;
        for (int i = 0; i < latencyBuckets.length; i++) {
            if (nanos <= CheckLatency.BOUNDS_NANOS[i]) {
                latencyBuckets[i]++;
                break;
            }
        }
    }

    /** The check durations so far, with cumulative buckets. */
    CheckLatency latency() {
        long[] cumulative = new long[latencyBuckets.length];
        long sum = 0;
        for (int i = 0; i < cumulative.length; i++) {
            sum += latencyBuckets[i];
            cumulative[i] = sum;
        }
        return new CheckLatency(checked, checksFailed, latencySum, latencyLast, cumulative);
    }

    String id() {
        String host = real.address().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + real.port();
    }
}
