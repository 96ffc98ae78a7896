/*
 * The byte relay between a client and its real server, and the IPVS states of §7 it reports.
 *
 * One Relay sits on each of the two channels, both on the same event loop, so no state needs locking. Both sides
 * read freely (auto-read) while their peer can take more; when the peer's outbound buffer passes its high water mark
 * the side stops reading until the peer drains below the low mark (channelWritabilityChanged). Memory per connection
 * is thus bounded by the water marks, whatever the speeds of the two ends, and a busy connection costs no epoll
 * interest changes per read.
 *
 * Before the real server is connected the client's relay keeps what arrives (Netty reads a channel whose peer half-
 * closes even with auto-read off): the data, at most the client's socket buffer, and the FIN are passed on first.
 *
 * Half-close: a FIN from one side (input shutdown) is passed on as a FIN to the other (output shutdown) once pending
 * data is flushed, and the entry goes to FIN_WAIT. When both sides have sent FIN both channels close and the entry
 * goes to TIME_WAIT, where the director keeps it (without sockets) for its timeout. A reset or error on either side
 * resets the other and moves the entry to CLOSE.
 */
package org.lvs4j.forward.fullnat;

import java.io.IOException;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;

import org.lvs4j.api.ConnectionState;
import org.lvs4j.api.forward.Entry;

final class Relay extends ChannelInboundHandlerAdapter {

    /** The pair of channels of one proxied connection and what both relays share. */
    static final class Pair {
        final SocketChannel client;
        final SocketChannel server;
        final Entry entry;
        boolean clientFin;
        boolean serverFin;
        boolean closed;

        Pair(SocketChannel client, SocketChannel server, Entry entry) {
            this.client = client;
            this.server = server;
            this.entry = entry;
        }

        /** Ends the connection: with RST on both sides, or (after both FINs) a plain close. */
        void end(boolean reset, ConnectionState state) {
            if (closed) {
                return;
            }
            closed = true;
            // The entry outlives the sockets (TIME_WAIT, CLOSE): it must not keep them reachable.
            entry.onExpire(null);
            if (!entry.expired()) {
                entry.state(state);
            }
            if (reset) {
                resetChannel(client);
                resetChannel(server);
            } else {
                client.close();
                server.close();
            }
        }
    }

    /** Null until the real server is connected. */
    private Pair pair;
    /** True on the client's channel (data flows to the real server: "in"). */
    private final boolean fromClient;
    /** What the client sent before the relay started, and whether its FIN came too. */
    private java.util.ArrayDeque<ByteBuf> early;
    private boolean earlyFin;

    Relay(boolean fromClient) {
        this.fromClient = fromClient;
    }

    /** Starts relaying: what the client sent meanwhile goes first. */
    void start(Pair p) {
        this.pair = p;
        if (early != null) {
            ByteBuf b;
            while ((b = early.poll()) != null) {
                p.entry.in(b.readableBytes());
                p.server.write(b, p.server.voidPromise());
            }
            early = null;
        }
        if (earlyFin) {
            finReceived();
        }
    }

    boolean earlyFin() {
        return earlyFin;
    }

    private Channel peer() {
        return fromClient ? pair.server : pair.client;
    }

    static void resetChannel(Channel ch) {
        if (ch.isOpen()) {
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            ch.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        if (pair == null) {
            if (early == null) {
                early = new java.util.ArrayDeque<>(2);
            }
            early.add(buf);
            return;
        }
        int n = buf.readableBytes();
        if (fromClient) {
            pair.entry.in(n);
        } else {
            pair.entry.out(n);
        }
        peer().write(buf, peer().voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (pair == null) {
            return;
        }
        Channel peer = peer();
        peer.flush();
        if (!peer.isWritable()) {
            autoRead(ctx.channel(), false); // the peer's writability change resumes
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // This channel drained below its low water mark: the side that feeds it may read again.
        if (pair != null && ctx.channel().isWritable() && !pair.closed) {
            autoRead(peer(), true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * Backpressure on a side that can still be read: once a side's FIN was read there is nothing left to pause, and
     * toggling autoRead would only cost epoll_ctl calls.
     */
    private static void autoRead(Channel ch, boolean on) {
        if (ch.isActive() && !((io.netty.channel.socket.SocketChannel) ch).isInputShutdown()) {
            ch.config().setAutoRead(on);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            if (pair == null) {
                earlyFin = true;
            } else {
                finReceived();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** This side sent FIN: pass it on once what it sent is flushed; both FINs end the connection. */
    void finReceived() {
        if (fromClient) {
            pair.clientFin = true;
        } else {
            pair.serverFin = true;
        }
        SocketChannel peer = (SocketChannel) peer();
        boolean both = pair.clientFin && pair.serverFin;
        if (both) {
            // Closing sends the last FIN once what is queued for the peer is flushed.
            peer.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
                    .addListener((ChannelFutureListener) f -> pair.end(false, ConnectionState.TIME_WAIT));
            return;
        }
        pair.entry.state(ConnectionState.FIN_WAIT);
        if (peer.isActive() && !peer.isOutputShutdown()) {
            // The FIN goes after whatever is still queued for the peer.
            peer.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
                    .addListener((ChannelFutureListener) f -> peer.shutdownOutput());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (pair == null) {
            if (early != null) {
                early.forEach(ByteBuf::release);
                early = null;
            }
            return;
        }
        // Closed without both FINs: the other side is cut too (after what is already queued, if any).
        if (!pair.closed) {
            boolean finished = pair.clientFin && pair.serverFin;
            pair.end(!finished, finished ? ConnectionState.TIME_WAIT : ConnectionState.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (pair == null) {
            resetChannel(ctx.channel());
            return;
        }
        // Connection resets and broken pipes are what peers do; anything else is worth the log but ends the same.
        if (!(cause instanceof IOException)) {
            SocketEngine.LOG.warn("relay {} failed", pair.entry, cause);
        }
        pair.end(true, ConnectionState.CLOSE);
    }
}
