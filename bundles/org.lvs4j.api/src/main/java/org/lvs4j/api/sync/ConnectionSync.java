package org.lvs4j.api.sync;

import java.util.List;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The director's side of connection sync, registered as a service by the director.
 *
 * <p>As IPVS's master does, the director reports an entry when its state changes, a UDP or established TCP entry
 * when its incoming packet count reaches 3 and every 50 packets after that, and with each reported connection the
 * persistence template that placed it. A backup enters what it receives as IPVS's backup does: into an existing
 * service and real server, with the sender's state and timeout.
 */
@ProviderType
public interface ConnectionSync {

    /**
     * Sets the one sink told of entries to send, or removes it with null. The sink runs on the data path's threads:
     * it must only queue.
     */
    void syncSink(Consumer<SyncedConnection> sink);

    /** Every connection and template in the table, for a peer asking for a full resync. */
    List<SyncedConnection> syncSnapshot();

    /**
     * Enters or updates an entry sent by a peer.
     *
     * @return null when applied, else why not (no such service or real server, a protocol lvs4j does not serve)
     */
    String applySynced(SyncedConnection entry);
}
