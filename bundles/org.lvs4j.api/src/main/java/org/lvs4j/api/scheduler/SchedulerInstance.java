package org.lvs4j.api.scheduler;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A scheduler's state for one virtual service.
 *
 * <p>Threading: {@link #update} is called by one writer at a time, never concurrently with itself. {@link #pick} and
 * {@link #countersChanged} run on packet and event-loop threads, concurrently with each other and with
 * {@code update}. A pick must not block on I/O and should not allocate; it may take a short per-instance lock (IPVS
 * takes its {@code sched_lock} in rr and wrr), which is how schedulers that keep an index of their servers stay exact.
 * Without such an index, publish state built in {@code update} through a volatile field, so a pick sees either the old
 * or the new list, never a mix.
 *
 * <p>Exactness is defined on a sequential order of events: when picks, counter changes and updates do not overlap, a
 * pick must return what IPVS's {@code schedule} would return for the same list, counters and flags.
 */
@ConsumerType
public interface SchedulerInstance {

    /**
     * The real-server list changed (IPVS's {@code add_dest}, {@code del_dest}, {@code upd_dest}).
     *
     * @param servers the new list in IPVS order: the most recently added server first; immutable
     * @param change  what changed
     */
    void update(List<RealServer> servers, Change change);

    /**
     * Chooses a real server for a new connection (IPVS's {@code schedule}).
     *
     * @return the chosen server, or null when none is eligible ("no destination available")
     */
    RealServer pick(Flow flow);

    /**
     * A server's counters ({@link RealServer#activeConns()}, {@link RealServer#inactiveConns()}) or its overload flag
     * changed, after the change. Schedulers that index their servers by load re-position it here; the others ignore
     * it. The server may already have left the list (a deleted server whose connections end): ignore unknown ones.
     */
    default void countersChanged(RealServer server) {
    }

    /** The service is gone or the scheduler is being replaced (IPVS's {@code done_service}). */
    default void close() {
    }
}
