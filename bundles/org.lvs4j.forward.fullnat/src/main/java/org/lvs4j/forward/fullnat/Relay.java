/*
 * The byte relay between a client and its real server, and the IPVS states of §7 it reports.
 *
 * One Relay sits on each of the two channels, both on the same event loop, so no state needs locking. Reads are
 * manual (auto-read off): a side is read again only after what it read was handed to its peer and the peer can take
 * more, and when the peer's outbound buffer passes its high water mark reading stops until the peer drains below the
 * low mark (channelWritabilityChanged). Memory per connection is thus bounded by the water marks, whatever the speeds
 * of the two ends.
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
        final Runnable onClosed;
        boolean clientFin;
        boolean serverFin;
        boolean closed;

        Pair(SocketChannel client, SocketChannel server, Entry entry, Runnable onClosed) {
            this.client = client;
            this.server = server;
            this.entry = entry;
            this.onClosed = onClosed;
        }

        /** Ends the connection: with RST on both sides, or (after both FINs) a plain close. */
        void end(boolean reset, ConnectionState state) {
            if (closed) {
                return;
            }
            closed = true;
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
            onClosed.run();
        }
    }

    private final Pair pair;
    /** True on the client's channel (data flows to the real server: "in"). */
    private final boolean fromClient;

    Relay(Pair pair, boolean fromClient) {
        this.pair = pair;
        this.fromClient = fromClient;
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
        Channel peer = peer();
        peer.flush();
        if (peer.isWritable()) {
            ctx.read();
        }
        // else: the peer's writability change reads this side again
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // This channel drained below its low water mark: the side that feeds it may read again.
        if (ctx.channel().isWritable() && !pair.closed) {
            peer().read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            finReceived();
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
        if (!both) {
            pair.entry.state(ConnectionState.FIN_WAIT);
        }
        peer.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f ->
                peer.shutdownOutput().addListener(x -> {
                    if (both) {
                        pair.end(false, ConnectionState.TIME_WAIT);
                    }
                }));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Closed without both FINs: the other side is cut too (after what is already queued, if any).
        if (!pair.closed) {
            boolean finished = pair.clientFin && pair.serverFin;
            pair.end(!finished, finished ? ConnectionState.TIME_WAIT : ConnectionState.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Connection resets and broken pipes are what peers do; anything else is worth the log but ends the same.
        if (!(cause instanceof IOException)) {
            SocketEngine.LOG.warn("relay {} failed", pair.entry, cause);
        }
        pair.end(true, ConnectionState.CLOSE);
    }
}
