package org.lvs4j.director.internal;

import java.net.InetAddress;
import java.util.function.Consumer;

import org.lvs4j.api.ConnectionState;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.ProxyProtocol;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.forward.Entry;

/**
 * One entry of the connection table: a client's connection (or UDP flow) bound to a real server, or a persistence
 * template (IPVS's {@code struct ip_vs_conn}). State changes and expiry are serialised on the entry itself.
 */
public final class Connection extends ConnKey implements Entry {

    private static final java.lang.invoke.VarHandle CONTROLLED;

    static {
        try {
            CONTROLLED = java.lang.invoke.MethodHandles.lookup().findVarHandle(Connection.class, "controlled",
                    int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Table table;
    // No field repeats what the key or the destination holds: a million of these must stay small.
    final Destination destination;
    final int destinationPort;
    final boolean template;
    final boolean onePacket;
    /** The persistence template this connection was scheduled through, or null. */
    final Connection control;
    /** Connections scheduled through this template that are still alive (IPVS's n_control). */
    private volatile int controlled;

    volatile ConnectionState state;
    /** Counted in InActConn rather than ActiveConn (IPVS's IP_VS_CONN_F_INACTIVE); every entry starts inactive. */
    volatile boolean inactive = true;
    /** Replies are not seen (direct routing, tunnel): the INPUT-ONLY rows of the TCP state table apply. */
    volatile boolean noOutput;
    /** Packets from the client, for sync's "every 50th packet" rule; races only shift when a refresh is sent. */
    int inPackets;
    /** Current timeout in seconds; expiry is this long after the last refresh. */
    volatile int timeout;
    volatile long expiresAt;
    /** Unlinked from the table and unbound from its real server. */
    volatile boolean dead;
    /** Called once when the entry expires, so the engine can close what it holds. */
    volatile Consumer<Connection> onExpire;

    /** For a masquerading entry: its key in the table of replies (real server to client), else null. */
    ConnKey replyKey;

    /** The wheel tick this entry is filed under; guarded by the entry's lock. */
    long wheelTick;

    Connection(Table table, ConnKey key, Destination destination, int destinationPort, boolean template,
               boolean onePacket, Connection control, ConnectionState state) {
        super(key);
        this.table = table;
        this.destination = destination;
        this.destinationPort = destinationPort;
        this.template = template;
        this.onePacket = onePacket;
        this.control = control;
        this.state = state;
    }

    @Override
    public ConnectionState state() {
        return state;
    }

    /** The connection's protocol, from the key's protocol number; null for a template of a fwmark service. */
    Protocol transport() {
        return protocol == 6 ? Protocol.TCP : protocol == 17 ? Protocol.UDP : null;
    }

    @Override
    public void state(ConnectionState next) {
        table.setState(this, next);
    }

    @Override
    public ServiceKey service() {
        return destination.service.key;
    }

    @Override
    public ForwardMethod method() {
        return destination.config.method();
    }

    @Override
    public ProxyProtocol proxyProtocol() {
        return destination.config.proxyProtocol();
    }

    @Override
    public int virtualPort() {
        return virtualPort;
    }

    @Override
    public boolean local() {
        return destination.local;
    }

    @Override
    public void tcpSegment(boolean fromClient, int flags) {
        table.tcpSegment(this, fromClient ? TcpStates.Direction.INPUT : TcpStates.Direction.OUTPUT, flags);
    }

    @Override
    public void in(long bytes) {
        table.countIn(this, bytes);
    }

    @Override
    public void out(long bytes) {
        table.countOut(this, bytes);
    }

    @Override
    public void expire() {
        table.expireNow(this);
    }

    @Override
    public boolean expired() {
        return dead;
    }

    @Override
    public boolean onePacket() {
        return onePacket;
    }

    @Override
    public void onExpire(Runnable hook) {
        this.onExpire = hook == null ? null : c -> hook.run();
    }

    public boolean isTemplate() {
        return template;
    }

    public boolean isDead() {
        return dead;
    }

    @Override
    public InetAddress destinationAddress() {
        return destination.address;
    }

    @Override
    public int destinationPort() {
        return destinationPort;
    }

    public InetAddress clientAddress() {
        return client();
    }

    int controlled() {
        return controlled;
    }

    void control(int delta) {
        CONTROLLED.getAndAdd(this, delta);
    }

    /** The persistence template that chose this connection's real server, or null. */
    public Connection template() {
        return control;
    }

    /** The real server is still in its service (not deleted). */
    public boolean destinationAvailable() {
        return destination.available;
    }

    /** Like {@link #onExpire(Runnable)}, with the entry passed to the hook. */
    public void onExpired(Consumer<Connection> hook) {
        this.onExpire = hook;
    }

    @Override
    public String toString() {
        return (transport() == null ? "IP" : transport().name()) + " " + client().getHostAddress() + ":" + clientPort
                + " -> " + virtual().getHostAddress() + ":" + virtualPort + " -> "
                + destination.address.getHostAddress() + ":" + destinationPort + " " + state
                + (template ? " template" : "");
    }
}
