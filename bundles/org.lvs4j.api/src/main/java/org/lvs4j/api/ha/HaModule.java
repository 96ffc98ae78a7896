package org.lvs4j.api.ha;

import org.osgi.annotation.versioning.ConsumerType;

/** A director-HA protocol (heartbeat). At most one runs in a director. */
@ConsumerType
public interface HaModule {

    /** The current state. */
    HaState state();

    /** Gives the resources to the peer, as heartbeat's {@code hb_standby}. */
    void standby();

    /** Takes the resources from the peer, as heartbeat's {@code hb_takeover}. */
    void takeover();

    /**
     * Leaves the pair before this director stops: a master gives its resources up at once and tells the peer, which
     * takes over while this director drains its connections. Nothing happens afterwards until a restart.
     */
    default void leave() {
    }

    /** The most recent role changes, oldest first, each as "HH:MM:SS FROM -> TO". */
    default java.util.List<String> transitions() {
        return java.util.List.of();
    }
}
