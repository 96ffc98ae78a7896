/*
 * Direct routing (-g), as IPVS's ip_vs_dr_xmit.
 *
 * The real server holds the VIP on an interface that does not answer ARP for it (lo, with arp_ignore/arp_announce),
 * so a frame addressed to its MAC but still carrying the VIP as destination is accepted there as its own, and the
 * reply goes from the VIP straight to the client. The director therefore changes nothing but the Ethernet header:
 * no address, port or checksum is touched, and the service port is the real server's port (ipvsadm refuses another).
 * ICMP errors about the real server's replies reach it the same way. Replies never pass the director.
 */
package org.lvs4j.forward.dr;

import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.forward.Forwarder;
import org.lvs4j.packet.spi.Packet;
import org.lvs4j.packet.spi.PacketTransform;
import org.lvs4j.packet.spi.Verdict;
import org.osgi.service.component.annotations.Component;

@Component(service = {Forwarder.class, PacketTransform.class}, property = Forwarder.METHOD + "=droute")
public class DirectRouting implements Forwarder, PacketTransform {

    @Override
    public ForwardMethod method() {
        return ForwardMethod.DROUTE;
    }

    @Override
    public Verdict forward(Packet p) {
        if (!p.fits(0)) {
            return p.tooBig(0);
        }
        p.setEthernet(p.nextHop(), p.source());
        return Verdict.SEND;
    }

    @Override
    public Verdict reply(Packet p) {
        return Verdict.DROP;
    }
}
