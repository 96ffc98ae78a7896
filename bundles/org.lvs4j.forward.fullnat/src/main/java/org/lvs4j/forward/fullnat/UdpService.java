/*
 * A UDP virtual service on the socket engine.
 *
 * Datagrams arrive on the virtual address's socket. A client's first datagram is admitted by the director (its entry
 * is a UDP flow, always inactive); the engine opens a socket connected to the chosen real server for that client, so
 * the real server's replies come back on it and are sent to the client from the virtual address. Later datagrams of
 * the flow go the same way and refresh its timer; when the entry expires (the udp timeout without traffic) the
 * socket closes. With -o every datagram is admitted on its own and its entry expires at once; the reply socket for a
 * client and real server then stays open for the udp timeout so replies still find their way.
 *
 * While the scheduler is missing, new clients' datagrams are queued (up to 1000 per service) and sent as soon as a
 * scheduler registers, or dropped after plugin_wait_ms; refused ones are dropped and counted. Everything of one
 * service runs on the event loop of its socket.
 */
package org.lvs4j.forward.fullnat;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;

import org.lvs4j.api.Protocol;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.forward.Admission;
import org.lvs4j.api.forward.Entry;
import org.lvs4j.api.scheduler.Flow;
import org.lvs4j.netty.UdpListener;

final class UdpService {

    private final SocketEngine engine;
    private final ServiceKey key;
    private final UdpListener listener;
    private final EventLoop loop;
    /** Flows by client address; confined to {@link #loop}. */
    private final Map<InetSocketAddress, UdpFlow> flows = new HashMap<>();
    /** Reply sockets of one-packet flows by client and real server; confined to {@link #loop}. */
    private final Map<List<InetSocketAddress>, UdpFlow> replySockets = new HashMap<>();
    private final ArrayDeque<DatagramPacket> waiting = new ArrayDeque<>();
    private boolean awaitingScheduler;
    private final AtomicLong dropped = new AtomicLong();
    private boolean closed;

    private record UdpFlowKey(Protocol protocol, java.net.InetAddress sourceAddress, int sourcePort,
                              java.net.InetAddress destinationAddress, int destinationPort) implements Flow {
    }

    UdpService(SocketEngine engine, ServiceKey key, UdpListener listener) {
        this.engine = engine;
        this.key = key;
        this.listener = listener;
        this.loop = listener.channel().eventLoop();
    }

    long dropped() {
        return dropped.get() + listener.dropped();
    }

    /** A datagram for the service; this method owns it. */
    void receive(DatagramPacket p) {
        if (closed) {
            p.release();
            return;
        }
        InetSocketAddress client = p.sender();
        UdpFlow f = flows.get(client);
        if (f != null && !f.entry.expired()) {
            f.send(p.content());
            return;
        }
        if (awaitingScheduler) {
            queue(p);
            return;
        }
        Admission a = engine.dataPath().admit(new UdpFlowKey(Protocol.UDP, client.getAddress(), client.getPort(),
                p.recipient().getAddress(), p.recipient().getPort()));
        if (a.entry() != null) {
            flow(a.entry(), client).send(p.content());
            return;
        }
        if (a.refusal() == Admission.Refusal.NO_SCHEDULER) {
            queue(p);
            waitForScheduler();
        } else {
            drop(p);
        }
    }

    private void queue(DatagramPacket p) {
        if (waiting.size() < UdpListener.QUEUE) {
            waiting.add(p);
        } else {
            drop(p);
        }
    }

    private void drop(DatagramPacket p) {
        p.release();
        dropped.incrementAndGet();
    }

    private void waitForScheduler() {
        awaitingScheduler = true;
        long wait = engine.dataPath().sysctl("plugin_wait_ms");
        engine.dataPath().schedulerReady(key).toCompletableFuture().orTimeout(wait, TimeUnit.MILLISECONDS)
                .whenComplete((ok, failure) -> loop.execute(() -> {
                    awaitingScheduler = false;
                    List<DatagramPacket> held = new ArrayList<>(waiting);
                    waiting.clear();
                    for (DatagramPacket p : held) {
                        if (failure == null) {
                            receive(p);
                        } else {
                            drop(p);
                        }
                    }
                }));
    }

    private UdpFlow flow(Entry entry, InetSocketAddress client) {
        InetSocketAddress server = new InetSocketAddress(entry.destinationAddress(), entry.destinationPort());
        if (entry.onePacket()) {
            List<InetSocketAddress> k = List.of(client, server);
            UdpFlow r = replySockets.get(k);
            if (r == null) {
                r = new UdpFlow(entry, client, server, k);
                replySockets.put(k, r);
            }
            r.oneShot(entry);
            return r;
        }
        UdpFlow f = new UdpFlow(entry, client, server, null);
        flows.put(client, f);
        entry.onExpire(() -> loop.execute(() -> {
            if (flows.remove(client, f)) {
                f.close();
            }
        }));
        return f;
    }

    /** Unbinds: flows end and the socket closes. */
    void close() {
        end();
        listener.close();
    }

    /** The engine goes away but the service stays: flows end, the socket queues datagrams for the next engine. */
    void detach() {
        listener.detach();
        end();
    }

    private void end() {
        loop.execute(() -> {
            closed = true;
            new ArrayList<>(flows.values()).forEach(UdpFlow::close);
            new ArrayList<>(replySockets.values()).forEach(UdpFlow::close);
            flows.clear();
            replySockets.clear();
            waiting.forEach(DatagramPacket::release);
            waiting.clear();
        });
    }

    /** One client's socket to its real server. */
    private final class UdpFlow extends SimpleChannelInboundHandler<DatagramPacket> {
        private Entry entry;
        private final InetSocketAddress client;
        private final List<InetSocketAddress> replyKey;
        private final Channel backend;
        private final ChannelFuture connected;
        private ScheduledFuture<?> idle;

        UdpFlow(Entry entry, InetSocketAddress client, InetSocketAddress server, List<InetSocketAddress> replyKey) {
            super(true);
            this.entry = entry;
            this.client = client;
            this.replyKey = replyKey;
            engine.connectionOpened();
            this.connected = new Bootstrap().group(loop).channel(engine.loops().datagramChannel()).handler(this)
                    .connect(server);
            this.backend = connected.channel();
            backend.closeFuture().addListener(x -> engine.connectionClosed());
        }

        /** A one-packet datagram: its entry expires once the datagram is sent; replies use this socket. */
        void oneShot(Entry e) {
            this.entry = e;
            if (idle != null) {
                idle.cancel(false);
            }
            idle = loop.schedule(() -> {
                replySockets.remove(replyKey, this);
                close();
            }, engine.udpTimeoutSeconds(), TimeUnit.SECONDS);
        }

        void send(ByteBuf data) {
            Entry e = entry;
            e.in(data.readableBytes());
            if (connected.isDone()) {
                backend.writeAndFlush(data);
            } else {
                connected.addListener(x -> backend.writeAndFlush(data));
            }
            if (e.onePacket()) {
                e.expire();
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket reply) {
            ByteBuf content = reply.content();
            entry.out(content.readableBytes());
            listener.channel().writeAndFlush(new DatagramPacket(content.retain(), client, listener.address()));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port unreachable from the real server shows up here; the flow lives on until it expires.
        }

        void close() {
            if (idle != null) {
                idle.cancel(false);
            }
            backend.close();
        }
    }
}
