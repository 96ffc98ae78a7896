/*
 * IP tunnelling (-i), as IPVS's ip_vs_tunnel_xmit with the default IPIP encapsulation.
 *
 * The client's packet, unchanged, gets an outer IPv4 header (RFC 2003, protocol 4) from the director's address on the
 * outgoing link to the real server, which may sit in another network: it decapsulates, finds the VIP on a
 * non-ARPing interface, and answers the client itself. The outer header copies the inner TOS and Don't Fragment bit.
 *
 * The 20 bytes of outer header can push a full-size packet over the link MTU. As IPVS does, a packet with Don't
 * Fragment set is answered with ICMP "fragmentation needed" carrying MTU - 20, so the client's path MTU discovery
 * shrinks its segments; one without DF is dropped (IPVS would fragment the outer packet; this director does not).
 * ICMP errors about the real server's replies are tunnelled to it too.
 */
package org.lvs4j.forward.tun;

import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.forward.Forwarder;
import org.lvs4j.packet.spi.Packet;
import org.lvs4j.packet.spi.PacketTransform;
import org.lvs4j.packet.spi.Verdict;
import org.osgi.service.component.annotations.Component;

@Component(service = {Forwarder.class, PacketTransform.class}, property = Forwarder.METHOD + "=tunnel")
public class Tunneling implements Forwarder, PacketTransform {

    static final int OUTER = 20;

    @Override
    public ForwardMethod method() {
        return ForwardMethod.TUNNEL;
    }

    @Override
    public Verdict forward(Packet p) {
        if (p.localAddress() == 0) {
            return Verdict.DROP; // no address of ours on the way to the real server to send from
        }
        if (!p.fits(OUTER)) {
            return p.tooBig(OUTER);
        }
        p.encapsulate(p.localAddress(), p.server());
        p.setEthernet(p.nextHop(), p.source());
        return Verdict.SEND;
    }

    @Override
    public Verdict reply(Packet p) {
        return Verdict.DROP;
    }
}
