package org.lvs4j.director.internal;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.lvs4j.api.ConnectionState;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.sync.ConnectionSync;
import org.lvs4j.api.sync.SyncedConnection;

/**
 * The director's part of connection sync, after IPVS's ip_vs_sync_conn (what a master reports) and ip_vs_proc_conn
 * (what a backup enters).
 *
 * <p>A master reports an entry when its state changes and, for UDP and established TCP entries, when its incoming
 * packet count is 3 modulo 50 (sync_threshold, sync_period), so a backup's timers stay fresh on long flows; the
 * template that placed a connection goes with it. Full-NAT connections are not reported: their sockets live in this
 * process and no backup could carry them on, but their templates are, so persistence survives a failover.
 *
 * <p>A backup enters an entry into the service and real server it already has (sync carries no configuration), with
 * the sender's state and timeout; an entry the peer moved to another real server is replaced.
 */
public final class Sync implements ConnectionSync {

    /** IPVS's sync_threshold and sync_period defaults. */
    static final int THRESHOLD = 3;
    static final int PERIOD = 50;

    private final Table table;
    private volatile Consumer<SyncedConnection> sink;

    Sync(Table table) {
        this.table = table;
    }

    @Override
    public void syncSink(Consumer<SyncedConnection> sink) {
        this.sink = sink;
    }

    /** An entry changed state. */
    void changed(Connection c) {
        Consumer<SyncedConnection> s = sink;
        if (s != null) {
            report(s, c);
        }
    }

    /** A packet from the client was counted on {@code c}. */
    void packetIn(Connection c) {
        Consumer<SyncedConnection> s = sink;
        if (s == null) {
            return;
        }
        int packets = ++c.inPackets;
        if (packets % PERIOD == THRESHOLD && (c.protocol != 6 || c.state == ConnectionState.ESTABLISHED)) {
            report(s, c);
        }
    }

    private static void report(Consumer<SyncedConnection> s, Connection c) {
        if (c.template || c.destination.config.method() != ForwardMethod.FULLNAT) {
            s.accept(record(c));
        }
        if (c.control != null && !c.control.dead) {
            s.accept(record(c.control));
        }
    }

    @Override
    public List<SyncedConnection> syncSnapshot() {
        List<SyncedConnection> out = new ArrayList<>();
        for (Connection c : table.connTable().snapshot()) {
            if (!c.dead && !c.onePacket && (c.template || c.destination.config.method() != ForwardMethod.FULLNAT)) {
                out.add(record(c));
            }
        }
        return out;
    }

    private static SyncedConnection record(Connection c) {
        Destination d = c.destination;
        int flags = d.local ? SyncedConnection.FWD_LOCALNODE : switch (d.config.method()) {
            case MASQ -> SyncedConnection.FWD_MASQ;
            case TUNNEL -> SyncedConnection.FWD_TUNNEL;
            case DROUTE -> SyncedConnection.FWD_DROUTE;
            case FULLNAT -> SyncedConnection.FWD_FULLNAT;
        };
        if (c.noOutput) {
            flags |= SyncedConnection.NO_OUTPUT;
        }
        if (c.inactive) {
            flags |= SyncedConnection.INACTIVE;
        }
        if (c.template) {
            flags |= SyncedConnection.TEMPLATE;
        }
        if (c.onePacket) {
            flags |= SyncedConnection.ONE_PACKET;
        }
        return new SyncedConnection(c.protocol, flags, c.state, c.client(), c.clientPort, c.virtual(), c.virtualPort,
                d.address, c.destinationPort, 0, c.timeout);
    }

    @Override
    public String applySynced(SyncedConnection r) {
        Protocol protocol = r.protocol() == 6 ? Protocol.TCP : r.protocol() == 17 ? Protocol.UDP : null;
        if (protocol == null) {
            return "protocol " + r.protocol() + " is not served (TCP and UDP only)";
        }
        if (r.protocol() == 17 && r.state() != ConnectionState.UDP && !r.template()
                || r.protocol() == 6 && r.state() == ConnectionState.UDP) {
            return "state " + r.state() + " does not fit protocol " + protocol;
        }
        VirtualService svc = table.findService(protocol, r.virtual(), r.virtualPort());
        if (svc == null || svc.deleted) {
            return "no service " + protocol + " " + endpoint(r.virtual(), r.virtualPort());
        }
        Destination dest = destination(svc, r.destination(), r.destinationPort());
        if (dest == null) {
            return "no real server " + endpoint(r.destination(), r.destinationPort()) + " in service " + svc.key;
        }
        ConnTable connections = table.connTable();
        ConnKey key = new ConnKey(r.protocol(), r.client(), r.clientPort(), r.virtual(), r.virtualPort(),
                r.template());
        Connection c = connections.get(key);
        if (c != null && c.destination != dest) {
            connections.expireNow(c);
            c = null;
        }
        if (c == null) {
            ConnectionState initial = r.template() ? ConnectionState.NONE
                    : protocol == Protocol.UDP ? ConnectionState.UDP : ConnectionState.NONE;
            c = connections.create(key, dest, r.destinationPort(), r.template(), false, null, initial,
                    Math.max(1, r.timeoutSeconds()));
        }
        if (!r.template()) {
            connections.setState(c, r.state());
        }
        if (r.timeoutSeconds() > 0) {
            connections.refresh(c, r.timeoutSeconds());
        }
        return null;
    }

    /** The real server at {@code address}: its port must match unless either side leaves it open (port 0). */
    private static Destination destination(VirtualService svc, InetAddress address, int port) {
        for (Destination d : svc.destinations) {
            if (d.address.equals(address) && (d.port == port || d.port == 0 || port == 0)) {
                return d;
            }
        }
        return null;
    }

    private static String endpoint(InetAddress a, int port) {
        String host = a.getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
