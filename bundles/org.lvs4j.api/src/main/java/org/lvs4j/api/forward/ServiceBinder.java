package org.lvs4j.api.forward;

import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceKey;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An engine's hook into table edits. The director calls {@link #bind} inside the edit that gives a service its
 * first real server of the engine (for the socket engine: when the first {@code -b} real server is added), and
 * refuses the edit if it throws, so a bind error fails that command and changes nothing. Register with the property
 * {@link #ENGINE}.
 */
@ConsumerType
public interface ServiceBinder {

    /** Service property (String): {@code socket} or {@code packet}. */
    String ENGINE = "lvs.engine";

    /** Starts receiving the service's traffic (binds VIP:port); throws with a message an operator can act on. */
    void bind(ServiceConfig service) throws Exception;

    /** The service lost its last real server of this engine, or was deleted: stop receiving its traffic. */
    void unbind(ServiceKey service);
}
