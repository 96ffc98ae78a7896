/*
 * A tiny HTTP/1.1 server for the demo: every request (any method and path) gets 200 and the backend's name and a
 * newline. Requests are split at the blank line that ends their header; a request body is not expected. Keep-alive
 * is honoured unless the request says "Connection: close" (or is HTTP/1.0 without keep-alive).
 */
package org.lvs4j.demo;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

import org.lvs4j.netty.EventLoops;

final class DemoBackend {

    private static final int MAX_HEADER = 16 * 1024;

    private final Channel server;

    DemoBackend(EventLoops loops, InetSocketAddress address, String name) throws Exception {
        byte[] body = (name + "\n").getBytes(StandardCharsets.US_ASCII);
        String head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length + "\r\n";
        this.server = new ServerBootstrap()
                .group(loops.group())
                .channel(loops.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new Requests(head, body));
                    }
                })
                .bind(address).sync().channel();
    }

    void close() {
        server.close().awaitUninterruptibly();
    }

    private static final class Requests extends ChannelInboundHandlerAdapter {
        private final String head;
        private final byte[] body;
        private final StringBuilder pending = new StringBuilder();

        Requests(String head, byte[] body) {
            this.head = head;
            this.body = body;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            pending.append(in.toString(StandardCharsets.ISO_8859_1));
            in.release();
            int end;
            while ((end = pending.indexOf("\r\n\r\n")) >= 0) {
                String request = pending.substring(0, end).toLowerCase(Locale.ROOT);
                pending.delete(0, end + 4);
                boolean close = request.contains("\r\nconnection: close")
                        || (request.startsWith("get") && request.contains("http/1.0")
                            && !request.contains("\r\nconnection: keep-alive"));
                ByteBuf out = Unpooled.wrappedBuffer(
                        (head + (close ? "Connection: close\r\n\r\n" : "\r\n")).getBytes(StandardCharsets.US_ASCII),
                        body);
                if (close) {
                    ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
                    pending.setLength(0);
                    return;
                }
                ctx.write(out);
            }
            if (pending.length() > MAX_HEADER) {
                ctx.close();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
