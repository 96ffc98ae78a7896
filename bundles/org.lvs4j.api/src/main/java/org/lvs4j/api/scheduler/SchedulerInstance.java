package org.lvs4j.api.scheduler;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A scheduler's state for one virtual service.
 *
 * <p>Threading: {@link #update} is called by one writer at a time, never concurrently with itself. {@link #pick}
 * runs on packet and event-loop threads, possibly concurrently with {@code update} and with other picks; it must not
 * block or lock, and should not allocate. Publish state built in {@code update} through a volatile field, so a pick
 * sees either the old or the new list, never a mix.
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

    /** The service is gone or the scheduler is being replaced (IPVS's {@code done_service}). */
    default void close() {
    }
}
