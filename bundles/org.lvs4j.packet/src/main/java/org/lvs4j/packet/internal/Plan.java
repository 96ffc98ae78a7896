package org.lvs4j.packet.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.lvs4j.api.Engine;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.RealServerStatus;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.ServiceStatus;

/**
 * The packet engine's view of the table, rebuilt after every table change: which (protocol, VIP, port) it serves,
 * and which NAT real servers' replies it translates. Immutable; the packet threads read it without locks.
 */
final class Plan {

    static final Plan EMPTY = new Plan(List.of());

    final List<ServiceKey> services;
    final Set<Integer> vips = new LinkedHashSet<>();
    /** NAT real servers' addresses (reply sources). */
    final Set<Integer> natServers = new LinkedHashSet<>();
    /** Every real server address, for neighbour resolution. */
    final Set<Integer> servers = new LinkedHashSet<>();
    final List<HostRules.Rule> rules = new ArrayList<>();
    /** Some real server is an address of this host (Local): its packets go to the host's own stack. */
    boolean hasLocal;
    private final Net.LongMap serviceKeys = new Net.LongMap(16);
    private final Net.LongMap natKeys = new Net.LongMap(16);
    private final Net.LongMap vipKeys = new Net.LongMap(16);
    private final Net.LongMap natHosts = new Net.LongMap(16);

    Plan(List<ServiceStatus> table) {
        List<ServiceKey> mine = new ArrayList<>();
        for (ServiceStatus s : table) {
            ServiceKey k = s.key();
            if (k.isIpv6() || s.realServers().isEmpty()
                    || s.realServers().get(0).config().method().engine() != Engine.PACKET) {
                continue;
            }
            mine.add(k);
            int vip = k.address().hashCode();
            int proto = k.protocol().number();
            vips.add(vip);
            vipKeys.put(vip & 0xffffffffL, 1);
            serviceKeys.put(key(proto, vip, k.port()), 1);
            rules.add(new HostRules.Rule(true, proto, vip, k.port()));
            for (RealServerStatus rs : s.realServers()) {
                if (rs.config().address().getAddress().length != 4) {
                    continue;
                }
                int a = rs.config().address().hashCode();
                if (rs.local()) {
                    hasLocal = true;
                    continue;
                }
                servers.add(a);
                if (rs.config().method() == ForwardMethod.MASQ) {
                    natServers.add(a);
                    natHosts.put(a & 0xffffffffL, 1);
                    int port = rs.config().port();
                    if (natKeys.get(key(proto, a, port)) == 0) {
                        natKeys.put(key(proto, a, port), 1);
                        rules.add(new HostRules.Rule(false, proto, a, port));
                    }
                }
            }
        }
        this.services = List.copyOf(mine);
    }

    static long key(int protocol, int address, int port) {
        return ((long) protocol << 48) | ((address & 0xffffffffL) << 16) | (port & 0xffff);
    }

    boolean isVip(int address) {
        return vipKeys.get(address & 0xffffffffL) != 0;
    }

    /** A service of this engine at protocol/VIP/port, or a port-0 service of the VIP. */
    boolean serves(int protocol, int vip, int port) {
        return serviceKeys.get(key(protocol, vip, port)) != 0 || serviceKeys.get(key(protocol, vip, 0)) != 0;
    }

    /** An address of a NAT real server (the source of ICMP errors about the connections it serves). */
    boolean isNatServer(int address) {
        return natHosts.get(address & 0xffffffffL) != 0;
    }

    /** The source of a NAT real server's reply (a port-0 real server replies from any port). */
    boolean natServer(int protocol, int address, int port) {
        return natKeys.get(key(protocol, address, port)) != 0 || natKeys.get(key(protocol, address, 0)) != 0;
    }
}
