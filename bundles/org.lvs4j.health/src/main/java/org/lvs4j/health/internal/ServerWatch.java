package org.lvs4j.health.internal;

import java.time.Instant;

import org.lvs4j.api.AdminState;

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

    ServerWatch(LdirectordConfig.Real real) {
        this.real = real;
    }

    String id() {
        String host = real.address().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + real.port();
    }
}
