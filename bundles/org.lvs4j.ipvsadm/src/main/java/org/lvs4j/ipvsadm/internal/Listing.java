package org.lvs4j.ipvsadm.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import org.lvs4j.api.AdminState;
import org.lvs4j.api.Addresses;
import org.lvs4j.api.ConnectionEntry;
import org.lvs4j.api.Engine;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.RealServerConfig;
import org.lvs4j.api.RealServerStatus;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceStatus;
import org.lvs4j.api.Timeouts;
import org.lvs4j.api.TunnelConfig;

/**
 * ipvsadm's listings, byte for byte: the printf formats of ipvsadm.c ({@code print_title},
 * {@code print_service_entry}, {@code print_largenum}, {@code print_conn}, {@code list_timeout}) with its
 * truncations (service names to 33 and real-server names to 28 characters unless IPv6). lvs4j adds the forward
 * name {@code FullNat}, the {@code -b} switch in rules, and the degraded-state suffixes {@code [no scheduler]},
 * {@code [no forwarder]}, {@code [drain]} and {@code [maint]} on listings whose lines end with the connection
 * counts (never in {@code -S}).
 */
final class Listing {

    static final String VERSION_LINE = "IP Virtual Server version 1.2.1 (size=4096)";

    /** Format flags (ipvsadm's FMT_*). */
    record Format(boolean numeric, boolean rule, boolean stats, boolean rate, boolean thresholds,
                  boolean persistentConn, boolean nosort, boolean exact, boolean tunInfo) {

        static final Format PLAIN = new Format(false, false, false, false, false, false, false, false, false);

        static Format rules(boolean numeric) {
            return new Format(numeric, true, false, false, false, false, false, false, false);
        }

        /** Listings whose lines end with the connection counts carry the degraded-state suffixes. */
        boolean suffixes() {
            return !rule && !stats && !rate;
        }
    }

    private final Names names;

    Listing(Names names) {
        this.names = names;
    }

    /** list_all: every service (the version line first unless in rule format). */
    String all(List<ServiceStatus> services, Format f) {
        StringBuilder out = new StringBuilder();
        if (!f.rule()) {
            out.append(VERSION_LINE).append('\n');
        }
        title(out, f);
        for (ServiceStatus s : services) {
            service(out, s, f);
        }
        return out.toString();
    }

    /** list_service: the title and one service. */
    String one(ServiceStatus s, Format f) {
        StringBuilder out = new StringBuilder();
        title(out, f);
        service(out, s, f);
        return out.toString();
    }

    private static void title(StringBuilder out, Format f) {
        if (f.stats()) {
            out.append(fmt("%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n", "Prot LocalAddress:Port",
                    "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes"));
        } else if (f.rate()) {
            out.append(fmt("%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n", "Prot LocalAddress:Port",
                    "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS"));
        } else if (f.thresholds()) {
            out.append(fmt("%-33s %-10s %-10s %-10s %-10s\n  -> RemoteAddress:Port\n", "Prot LocalAddress:Port",
                    "Uthreshold", "Lthreshold", "ActiveConn", "InActConn"));
        } else if (f.persistentConn()) {
            out.append(fmt("%-33s %-9s %-11s %-10s %-10s\n  -> RemoteAddress:Port\n", "Prot LocalAddress:Port",
                    "Weight", "PersistConn", "ActiveConn", "InActConn"));
        } else if (f.tunInfo()) {
            out.append("Prot LocalAddress:Port Scheduler Flags\n"
                    + "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n");
        } else if (!f.rule()) {
            out.append("Prot LocalAddress:Port Scheduler Flags\n"
                    + "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
        }
    }

    private void service(StringBuilder out, ServiceStatus s, Format f) {
        ServiceConfig c = s.config();
        boolean v6 = c.key().isIpv6();
        String vname = addrPort(c.key().address(), c.key().port(), c.key().protocol(), f.numeric());
        String svcName;
        if (f.rule()) {
            svcName = c.key().protocol().option() + " " + vname;
        } else {
            svcName = fmt("%-4s %s", c.key().protocol().name(), vname);
            if (!v6 && svcName.length() > 33) {
                svcName = svcName.substring(0, 33);
            }
        }
        if (f.rule()) {
            out.append("-A ").append(svcName).append(" -s ").append(c.scheduler());
            if (c.persistent()) {
                out.append(" -p ").append(Integer.toUnsignedString(c.persistenceTimeout()));
                appendMask(out, c, " -M ");
            }
            if (c.persistenceEngine() != null) {
                out.append(" --pe ").append(c.persistenceEngine());
            }
            if (c.onePacket()) {
                out.append(" -o");
            }
            if (c.schedulerFlags() != 0) {
                out.append(" -b ").append(schedFlags(c));
            }
        } else if (f.stats()) {
            out.append(fmt("%-33s", svcName));
            largenums(out, f, s.stats().conns(), s.stats().inPackets(), s.stats().outPackets(),
                    s.stats().inBytes(), s.stats().outBytes());
        } else if (f.rate()) {
            out.append(fmt("%-33s", svcName));
            largenums(out, f, s.rates().conns(), s.rates().inPackets(), s.rates().outPackets(),
                    s.rates().inBytes(), s.rates().outBytes());
        } else {
            out.append(svcName).append(' ').append(c.scheduler());
            if (c.schedulerFlags() != 0) {
                out.append(" (").append(schedFlags(c)).append(')');
            }
            if (c.persistent()) {
                out.append(" persistent ").append(Integer.toUnsignedString(c.persistenceTimeout()));
                appendMask(out, c, " mask ");
                if (c.persistenceEngine() != null) {
                    out.append(" pe ").append(c.persistenceEngine());
                }
            }
            if (c.onePacket()) {
                out.append(" ops");
            }
        }
        if (f.suffixes() && s.schedulerMissing()) {
            out.append(" [no scheduler]");
        }
        out.append('\n');

        List<RealServerStatus> dests = new ArrayList<>(s.realServers());
        if (!f.nosort()) {
            dests.sort(Comparator.comparing((RealServerStatus d) -> d.config().address(), Addresses::compare)
                    .thenComparingInt(d -> d.config().port()));
        }
        for (RealServerStatus d : dests) {
            realServer(out, svcName, c.key().protocol(), d, f);
        }
    }

    private static void appendMask(StringBuilder out, ServiceConfig c, String word) {
        if (c.key().isIpv6()) {
            if (c.netmask() != 128) {
                out.append(word).append(c.netmask());
            }
        } else if (c.netmask() != 0xffffffff) {
            out.append(word).append(Addresses.dotted(c.netmask()));
        }
    }

    /** print_sched_flags: sh and mh name their flags, other schedulers show flag-N. */
    static String schedFlags(ServiceConfig c) {
        List<String> names = new ArrayList<>();
        int flags = c.schedulerFlags();
        String sched = c.scheduler();
        if (sched.equals("sh") || sched.equals("mh")) {
            if ((flags & ServiceConfig.SCHED_FLAG_1) != 0) {
                names.add(sched + "-fallback");
            }
            if ((flags & ServiceConfig.SCHED_FLAG_2) != 0) {
                names.add(sched + "-port");
            }
        } else {
            for (int i = 0; i < 3; i++) {
                if ((flags & (1 << i)) != 0) {
                    names.add("flag-" + (i + 1));
                }
            }
        }
        return String.join(",", names);
    }

    private void realServer(StringBuilder out, String svcName, Protocol proto, RealServerStatus d, Format f) {
        RealServerConfig rc = d.config();
        String dname = addrPort(rc.address(), rc.port(), proto, f.numeric());
        if (!f.rule() && !(rc.address() instanceof Inet6Address) && dname.length() > 28) {
            dname = dname.substring(0, 28);
        }
        boolean local = d.local() && rc.method().engine() == Engine.PACKET;
        if (f.rule()) {
            // IPVS turns a packet-mode real server at a local address into LOCALNODE, which ipvsadm saves as -g.
            String sw = local ? "-g" : rc.method().flag();
            out.append("-a ").append(svcName).append(" -r ").append(dname).append(' ').append(sw).append(" -w ")
                    .append(rc.weight());
            TunnelConfig t = rc.tunnel();
            if (t != null && !local) {
                out.append(" --tun-type ").append(t.type().word());
                if (t.type() == TunnelConfig.Type.GUE) {
                    out.append(" --tun-port ").append(t.port());
                }
                if (t.type() != TunnelConfig.Type.IPIP) {
                    out.append(' ').append(t.checksum().option());
                }
            }
            if (rc.proxyProtocol() != org.lvs4j.api.ProxyProtocol.NONE) {
                out.append(" --proxy-protocol ").append(rc.proxyProtocol().name().toLowerCase(Locale.ROOT));
            }
            out.append('\n');
            return;
        }
        String forward = local ? "Local" : rc.method().display();
        if (f.stats()) {
            out.append(fmt("  -> %-28s", dname));
            largenums(out, f, d.stats().conns(), d.stats().inPackets(), d.stats().outPackets(),
                    d.stats().inBytes(), d.stats().outBytes());
            out.append('\n');
        } else if (f.rate()) {
            out.append(fmt("  -> %-28s %8d %8d %8d", dname, d.rates().conns(), d.rates().inPackets(),
                    d.rates().outPackets()));
            largenums(out, f, d.rates().inBytes(), d.rates().outBytes());
            out.append('\n');
        } else if (f.thresholds()) {
            out.append(fmt("  -> %-28s %-10d %-10d %-10d %-10d", dname, rc.upperThreshold(), rc.lowerThreshold(),
                    d.activeConns(), d.inactiveConns())).append(suffix(d)).append('\n');
        } else if (f.persistentConn()) {
            out.append(fmt("  -> %-28s %-9d %-11d %-10d %-10d", dname, rc.weight(), d.persistentConns(),
                    d.activeConns(), d.inactiveConns())).append(suffix(d)).append('\n');
        } else if (f.tunInfo()) {
            out.append(fmt("  -> %-28s %-7s %-13s %-6d %-10d %-10d", dname, forward, local ? "n/a" : tunInfo(rc),
                    rc.weight(), d.activeConns(), d.inactiveConns())).append(suffix(d)).append('\n');
        } else {
            out.append(fmt("  -> %-28s %-7s %-6d %-10d %-10d", dname, forward, rc.weight(), d.activeConns(),
                    d.inactiveConns())).append(suffix(d)).append('\n');
        }
    }

    private static String tunInfo(RealServerConfig rc) {
        TunnelConfig t = rc.tunnel();
        if (t == null) {
            return "n/a";
        }
        return switch (t.type()) {
            case IPIP -> "ipip";
            case GUE -> "gue:" + t.port() + ":" + t.checksum().shortForm();
            case GRE -> "gre:" + t.checksum().shortForm();
        };
    }

    private static String suffix(RealServerStatus d) {
        StringBuilder s = new StringBuilder();
        if (d.forwarderMissing()) {
            s.append(" [no forwarder]");
        }
        if (d.adminState() != AdminState.READY) {
            s.append(" [").append(d.adminState().word()).append(']');
        }
        return s.toString();
    }

    private static void largenums(StringBuilder out, Format f, long... values) {
        for (long v : values) {
            out.append(largenum(v, f.exact()));
        }
    }

    /** print_largenum: 9 columns, scaled to K, M, G or T (by 1000) unless exact. */
    static String largenum(long i, boolean exact) {
        String digits = Long.toUnsignedString(i);
        if (exact) {
            int width = digits.length() <= 8 ? 9 : digits.length() + 1;
            return " ".repeat(width - digits.length()) + digits;
        }
        if (Long.compareUnsigned(i, 100_000_000L) < 0) {
            return fmt("%9s", digits);
        } else if (Long.compareUnsigned(i, 1_000_000_000L) < 0) {
            return fmt("%8sK", Long.toUnsignedString(Long.divideUnsigned(i, 1000)));
        } else if (Long.compareUnsigned(i, 100_000_000_000L) < 0) {
            return fmt("%8sM", Long.toUnsignedString(Long.divideUnsigned(i, 1_000_000)));
        } else if (Long.compareUnsigned(i, 100_000_000_000_000L) < 0) {
            return fmt("%8sG", Long.toUnsignedString(Long.divideUnsigned(i, 1_000_000_000L)));
        }
        return fmt("%8sT", Long.toUnsignedString(Long.divideUnsigned(i, 1_000_000_000_000L)));
    }

    /** Connection listing order: by client, then virtual endpoint (the kernel lists in hash order). */
    private static final Comparator<ConnectionEntry> CONN_ORDER = Comparator
            .comparing(ConnectionEntry::client, Addresses::compare)
            .thenComparingInt(ConnectionEntry::clientPort)
            .thenComparing(ConnectionEntry::virtual, Addresses::compare)
            .thenComparingInt(ConnectionEntry::virtualPort);

    /** list_conn and print_conn. */
    String connections(List<ConnectionEntry> unsorted, Format f) {
        List<ConnectionEntry> entries = unsorted.stream().sorted(CONN_ORDER).toList();
        StringBuilder out = new StringBuilder("IPVS connection entries\n");
        if (f.persistentConn()) {
            out.append(fmt("pro expire %-11s %-18s %-18s %-18s %-16s %s\n", "state", "source", "virtual",
                    "destination", "pe name", "pe_data"));
        } else {
            out.append(fmt("pro expire %-11s %-18s %-18s %s\n", "state", "source", "virtual", "destination"));
        }
        for (ConnectionEntry e : entries) {
            Protocol p = e.protocol();
            String proto = p == null ? "IP" : p.name();
            String expire = fmt("%02d:%02d", e.expiresSeconds() / 60, e.expiresSeconds() % 60);
            out.append(fmt("%-3s %-6s %-11s %-18s %-18s %s\n", proto, expire, e.state(),
                    addrPort(e.client(), e.clientPort(), p, f.numeric()),
                    addrPort(e.virtual(), e.virtualPort(), p, f.numeric()),
                    addrPort(e.destination(), e.destinationPort(), p, f.numeric())));
        }
        return out.toString();
    }

    static String timeouts(Timeouts t) {
        return "Timeout (tcp tcpfin udp): " + t.tcp() + " " + t.tcpFin() + " " + t.udp() + "\n";
    }

    /** addrport_to_anyname: numeric, or host and service names from /etc/hosts and /etc/services. */
    String addrPort(InetAddress a, int port, Protocol proto, boolean numeric) {
        boolean v6 = a instanceof Inet6Address;
        String host;
        String service;
        if (numeric) {
            host = Addresses.numeric(a);
            service = Integer.toString(port);
        } else {
            String h = names.hostName(a);
            host = h != null ? h : Addresses.numeric(a);
            String sv = names.serviceName(port, proto);
            service = sv != null ? sv : Integer.toString(port);
        }
        String s = (v6 ? "[" + host + "]" : host) + ":" + service;
        // ipvsadm formats into a 60-byte buffer.
        return s.length() > 59 ? s.substring(0, 59) : s;
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** One line of {@code -L --daemon}, in ipvsadm's words. */
    static String daemon(org.lvs4j.api.sync.SyncSettings s) {
        return s.role().label() + " sync daemon (mcast=" + s.mcastInterface() + ", syncid=" + s.syncId()
                + ", maxlen=" + s.maxLength() + ", group=" + s.group().getHostAddress() + ", port=" + s.port()
                + ", ttl=" + s.ttl() + ")";
    }
}
