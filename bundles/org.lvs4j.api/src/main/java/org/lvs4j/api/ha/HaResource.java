package org.lvs4j.api.ha;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Something a master holds: a VIP on an interface, the socket engine's listeners, a user script. The HA module
 * acquires resources in order when becoming master and releases them in reverse order.
 */
@ConsumerType
public interface HaResource {

    /** Service property (String): the resource's name, as in haresources. */
    String NAME = "lvs.ha.resource";

    void acquire() throws Exception;

    void release() throws Exception;
}
