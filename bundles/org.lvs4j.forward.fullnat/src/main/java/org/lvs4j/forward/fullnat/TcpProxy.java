/*
 * One accepted TCP connection, from admission to relay.
 *
 * The client's channel arrives unread. The director admits it (conn reuse, persistence, the scheduler); the entry
 * goes to SYN_RECV, and the engine connects to the chosen real server on the client's own event loop, so both
 * channels share one thread. A refused or timed-out connect (connect timeout 2 s) is redispatched to another real
 * server, never one tried before, up to three tries in all; the client sees nothing of it. Only once connected
 * (ESTABLISHED) does the client's data get read, so nothing is buffered meanwhile.
 *
 * While the service's scheduler is missing the connection is held, unread, until one registers (then admitted) or
 * plugin_wait_ms passes (then reset). No eligible real server, or a client port pinned to a deleted server, resets
 * the connection at once.
 */
package org.lvs4j.forward.fullnat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;

import org.lvs4j.api.ConnectionState;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.ProxyProtocol;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.forward.Admission;
import org.lvs4j.api.forward.Entry;
import org.lvs4j.api.scheduler.Flow;

final class TcpProxy {

    static final int CONNECT_TIMEOUT_MS = 2000;
    static final int MAX_TRIES = 3;
    /** Outbound buffering per channel before reading from its peer pauses. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private final SocketEngine engine;
    private final ServiceKey service;
    private final SocketChannel client;
    private final Flow flow;
    private final List<Entry> tried = new ArrayList<>();
    private boolean counted = true;

    private record SocketFlow(Protocol protocol, java.net.InetAddress sourceAddress, int sourcePort,
                              java.net.InetAddress destinationAddress, int destinationPort) implements Flow {
    }

    TcpProxy(SocketEngine engine, ServiceKey service, SocketChannel client) {
        this.engine = engine;
        this.service = service;
        this.client = client;
        InetSocketAddress remote = client.remoteAddress();
        InetSocketAddress local = client.localAddress();
        this.flow = new SocketFlow(Protocol.TCP, remote.getAddress(), remote.getPort(), local.getAddress(),
                local.getPort());
        client.config().setWriteBufferWaterMark(WATER_MARK);
        client.pipeline().addLast(fromClient);
        client.closeFuture().addListener(f -> release());
    }

    private final Relay fromClient = new Relay(true);

    /** Counted in the connection cap until the client's channel closes (its server channel closes with it). */
    private void release() {
        if (counted) {
            counted = false;
            engine.connectionClosed();
        }
    }

    void start() {
        Admission a = engine.dataPath().admit(flow);
        if (a.entry() != null) {
            connect(a.entry());
            return;
        }
        switch (a.refusal()) {
            case NO_SCHEDULER -> hold();
            case NO_SERVICE, NO_DESTINATION, DROP -> Relay.resetChannel(client);
        }
    }

    private void hold() {
        long wait = engine.dataPath().sysctl("plugin_wait_ms");
        engine.dataPath().schedulerReady(service).toCompletableFuture()
                .orTimeout(wait, TimeUnit.MILLISECONDS)
                .whenComplete((ok, failure) -> client.eventLoop().execute(() -> {
                    if (!client.isActive()) {
                        return;
                    }
                    if (failure == null) {
                        start();
                    } else {
                        Relay.resetChannel(client);
                    }
                }));
    }

    private void connect(Entry entry) {
        if (!client.isActive()) {
            entry.state(ConnectionState.CLOSE);
            return;
        }
        entry.state(ConnectionState.SYN_RECV);
        InetSocketAddress dest = new InetSocketAddress(entry.destinationAddress(), entry.destinationPort());
        // A channel made and registered by hand: a Bootstrap per connection costs more than the rest of admission.
        SocketChannel server = engine.newSocketChannel(dest.getAddress());
        // TCP_NODELAY is on already: Netty sets it as it creates the channel
        server.config().setConnectTimeoutMillis(CONNECT_TIMEOUT_MS).setAllowHalfClosure(true)
                .setWriteBufferWaterMark(WATER_MARK);
        server.pipeline().addLast(new Relay(false));
        client.eventLoop().register(server);
        ChannelFuture f = server.connect(dest);
        // The client leaving while we connect must not leave a server connection behind.
        client.closeFuture().addListener(x -> {
            if (!f.isDone()) {
                f.cancel(false);
            }
        });
        f.addListener(done -> {
            if (done.isSuccess()) {
                connected(entry, (SocketChannel) f.channel());
            } else if (!done.isCancelled()) {
                failed(entry);
            } else {
                entry.state(ConnectionState.CLOSE);
            }
        });
    }

    private void failed(Entry entry) {
        tried.add(entry);
        if (!client.isActive()) {
            entry.state(ConnectionState.CLOSE);
            return;
        }
        if (tried.size() >= MAX_TRIES) {
            entry.state(ConnectionState.CLOSE);
            Relay.resetChannel(client);
            return;
        }
        Admission a = engine.dataPath().redispatch(entry, flow, tried);
        if (a.entry() != null) {
            connect(a.entry());
        } else {
            Relay.resetChannel(client);
        }
    }

    private void connected(Entry entry, SocketChannel server) {
        if (!client.isActive()) {
            server.close();
            entry.state(ConnectionState.CLOSE);
            return;
        }
        Relay.Pair pair = new Relay.Pair(client, server, entry);
        entry.onExpire(() -> client.eventLoop().execute(() -> pair.end(true, ConnectionState.CLOSE)));
        if (entry.proxyProtocol() != ProxyProtocol.NONE) {
            server.write(ProxyHeader.encode(server.alloc(), entry.proxyProtocol(), client.remoteAddress(),
                    client.localAddress()), server.voidPromise());
        }
        server.pipeline().get(Relay.class).start(pair);
        entry.state(ConnectionState.ESTABLISHED);
        boolean fin = fromClient.earlyFin();
        fromClient.start(pair);
        server.flush();
        if (!fin) {
            client.config().setAutoRead(true);
        }
    }
}
