/*
 * NAT (-m, masquerading), as IPVS's ip_vs_nat_xmit and its reply path (handle_response / ip_vs_nat_icmp).
 *
 * On the way in, the destination VIP:port becomes the real server's address and port (only NAT may map the port);
 * the real server sees the client's own address and, routing its replies through the director, sends them back from
 * its address, where the director puts VIP:port back as the source. The IP and TCP/UDP checksums are adjusted
 * incrementally (RFC 1624), so the payload is never summed again.
 *
 * ICMP errors are "related" traffic and follow the same mapping inside: one from the client's side quotes a reply
 * (VIP:vport to client) and goes to the real server with the quote's source made the real server's; one from the real
 * server quotes a client's packet (client to server:port) and goes to the client with the VIP restored in the quote
 * and as the outer source.
 */
package org.lvs4j.forward.nat;

import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.forward.Forwarder;
import org.lvs4j.packet.spi.Packet;
import org.lvs4j.packet.spi.PacketTransform;
import org.lvs4j.packet.spi.Verdict;
import org.osgi.service.component.annotations.Component;

@Component(service = {Forwarder.class, PacketTransform.class}, property = Forwarder.METHOD + "=masq")
public class Masquerading implements Forwarder, PacketTransform {

    @Override
    public ForwardMethod method() {
        return ForwardMethod.MASQ;
    }

    @Override
    public Verdict forward(Packet p) {
        if (!p.fits(0)) {
            return p.tooBig(0);
        }
        p.setIpDestination(p.server());
        if (p.icmpError()) {
            p.setInnerSource(p.server(), p.serverPort());
        } else if (p.serverPort() != p.virtualPort()) {
            p.setDestinationPort(p.serverPort());
        }
        p.setEthernet(p.nextHop(), p.source());
        return Verdict.SEND;
    }

    @Override
    public Verdict reply(Packet p) {
        p.setIpSource(p.virtualAddress());
        if (p.icmpError()) {
            p.setInnerDestination(p.virtualAddress(), p.virtualPort());
        } else if (p.serverPort() != p.virtualPort()) {
            p.setSourcePort(p.virtualPort());
        }
        p.setEthernet(p.nextHop(), p.source());
        return Verdict.SEND;
    }
}
