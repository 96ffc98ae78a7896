package org.lvs4j.api.scheduler;

import java.net.InetAddress;

import org.lvs4j.api.Protocol;
import org.osgi.annotation.versioning.ProviderType;

/** The new connection or datagram being scheduled, as seen by the director. */
@ProviderType
public interface Flow {

    Protocol protocol();

    /** The client's address. */
    InetAddress sourceAddress();

    int sourcePort();

    /** The virtual IP the client addressed. */
    InetAddress destinationAddress();

    int destinationPort();
}
