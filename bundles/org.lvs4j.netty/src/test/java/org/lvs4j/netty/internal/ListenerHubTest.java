package org.lvs4j.netty.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lvs4j.netty.TcpListener;
import org.lvs4j.netty.UdpListener;

/** Listening sockets that outlive their engine: held connections, queued datagrams, resets after the wait. */
class ListenerHubTest {

    private final NettyComponent netty = new NettyComponent(1);

    @AfterEach
    void close() {
        netty.close();
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress("127.0.0.1", 0);
    }

    @Test
    void connectionsWaitForAnAcceptor() throws Exception {
        TcpListener l = netty.tcp(loopback());
        l.detach(5000);
        try (Socket client = new Socket("127.0.0.1", l.address().getPort())) {
            client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            BlockingQueue<SocketChannel> got = new ArrayBlockingQueue<>(1);
            l.attach(got::add);
            SocketChannel ch = got.poll(5, TimeUnit.SECONDS);
            assertTrue(ch != null && ch.isActive(), "the held connection reaches the acceptor");
            ch.writeAndFlush(Unpooled.copiedBuffer("hi", StandardCharsets.US_ASCII)).sync();
            InputStream in = client.getInputStream();
            assertEquals('h', in.read());
            assertEquals('i', in.read());
        }
    }

    @Test
    void heldConnectionsAreResetAfterTheWait() throws Exception {
        TcpListener l = netty.tcp(loopback());
        l.detach(200);
        try (Socket client = new Socket("127.0.0.1", l.address().getPort())) {
            client.setSoTimeout(5000);
            assertThrows(SocketException.class, () -> client.getInputStream().read(), "reset, not closed");
        }
    }

    @Test
    void bindErrorsNameTheAddress() throws Exception {
        TcpListener l = netty.tcp(loopback());
        NettyComponent other = new NettyComponent(1);
        try {
            IOException e = assertThrows(IOException.class, () -> other.tcp(l.address()));
            assertTrue(e.getMessage().contains("cannot bind " + l.address()), e.getMessage());
        } finally {
            other.close();
        }
    }

    @Test
    void datagramsQueueUntilAReceiverAttaches() throws Exception {
        UdpListener u = netty.udp(loopback());
        u.detach();
        try (DatagramSocket s = new DatagramSocket()) {
            for (int i = 0; i < 3; i++) {
                byte[] b = ("d" + i).getBytes(StandardCharsets.US_ASCII);
                s.send(new java.net.DatagramPacket(b, b.length, u.address()));
            }
            BlockingQueue<String> got = new ArrayBlockingQueue<>(10);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            u.attach((DatagramPacket p) -> {
                got.add(p.content().toString(StandardCharsets.US_ASCII));
                p.release();
            });
            for (int i = 0; i < 3; i++) {
                String d = got.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertEquals("d" + i, d);
            }
            assertEquals(0, u.dropped());
        }
    }
}
