package org.lvs4j.packet.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything a packet thread reads besides the frame: the services (Plan), the kernel's interfaces, routes and
 * neighbours (Net), the attached links, and each real server's way out, worked out once per change so the per-frame
 * path is a couple of hash lookups. Immutable; the engine swaps the whole object when anything changes.
 */
final class Setup {

    static final Setup EMPTY = new Setup(Plan.EMPTY, Net.EMPTY, new Link[0], null);

    final Plan plan;
    final Net net;
    final Link[] links;
    /** Where packets for Local real servers go (null: none open). */
    final Tun local;
    /** Real server address to (index + 1) in {@link #hopLink}/{@link #hopGateway}. */
    private final Net.LongMap hops = new Net.LongMap(16);
    private final List<Link> hopLink = new ArrayList<>();
    private final List<Integer> hopGatewayList = new ArrayList<>();
    private final int[] hopGateway;

    Setup(Plan plan, Net net, Link[] links, Tun local) {
        this.plan = plan;
        this.net = net;
        this.links = links;
        this.local = local;
        for (int server : plan.servers) {
            Net.Route r = net.route(server);
            Link l = r == null ? null : byName(r.device());
            if (l != null) {
                hopLink.add(l);
                hopGatewayList.add(r.gateway() != 0 ? r.gateway() : server);
                hops.put(server & 0xffffffffL, hopLink.size());
            }
        }
        hopGateway = hopGatewayList.stream().mapToInt(Integer::intValue).toArray();
    }

    Link byName(String name) {
        for (Link l : links) {
            if (l.name.equals(name)) {
                return l;
            }
        }
        return null;
    }

    /** The link a real server is reached through, or null (no route, or through an interface not attached). */
    Link serverLink(int server) {
        int i = (int) hops.get(server & 0xffffffffL);
        return i == 0 ? null : hopLink.get(i - 1);
    }

    /** The next hop's address towards a real server (the server itself when on-link); call after serverLink. */
    int serverGateway(int server) {
        int i = (int) hops.get(server & 0xffffffffL);
        return i == 0 ? 0 : hopGateway[i - 1];
    }

    /**
     * The link and MAC a reply to a client goes out by: the MAC its frames came from, else the kernel's neighbour
     * entry for its route's next hop. Returns the link with {@code mac[0]} set, or null.
     */
    Link clientHop(int client, long[] mac) {
        for (Link l : links) {
            long m = l.learned(client);
            if (m != 0) {
                mac[0] = m;
                return l;
            }
        }
        Net.Route r = net.route(client);
        Link l = r == null ? null : byName(r.device());
        if (l == null) {
            return null;
        }
        mac[0] = net.neighbour(l.index, r.gateway() != 0 ? r.gateway() : client);
        return mac[0] == 0 ? null : l;
    }
}
