package org.lvs4j.packet.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One forwarding method at packet level. Register it as an OSGi service with {@link #METHOD} set to the method's id
 * ({@code masq}, {@code droute}, {@code tunnel}), beside the api bundle's {@code Forwarder} that names the method.
 *
 * <p>Both calls run on the engine's packet threads, once per frame: they must not block, lock or allocate. The
 * engine has parsed and validated the frame and filled in the connection's endpoints and the next hop; the transform
 * rewrites the frame in place through {@link Packet}'s helpers, which keep the IP and transport checksums right.
 */
@ConsumerType
public interface PacketTransform {

    /** Service property (String): the forwarding method this transform carries out. */
    String METHOD = "lvs.forward.method";

    /**
     * A client's packet (or an ICMP error about a reply, see {@link Packet#icmpError()}) for the connection's real
     * server. The Ethernet header must end up addressed to {@link Packet#nextHop()} from {@link Packet#source()}.
     */
    Verdict forward(Packet packet);

    /**
     * A real server's reply on its way to the client, for methods whose replies pass the director (NAT); the others
     * return {@link Verdict#DROP}. The next hop is then the client's.
     */
    Verdict reply(Packet packet);
}
