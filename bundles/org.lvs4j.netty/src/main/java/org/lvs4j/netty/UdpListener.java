package org.lvs4j.netty;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;

import org.osgi.annotation.versioning.ProviderType;

/** A bound UDP socket: datagrams for the service arrive here, and replies to clients leave from it. */
@ProviderType
public interface UdpListener {

    /** How many datagrams are queued while no receiver is attached; more are dropped and counted. */
    int QUEUE = 1000;

    InetSocketAddress address();

    /** The socket, for sending replies with the virtual address as their source. */
    DatagramChannel channel();

    /**
     * Starts handing datagrams to {@code receiver} (on the socket's event loop), first those queued meanwhile. The
     * receiver owns each packet and must release it.
     */
    void attach(Consumer<DatagramPacket> receiver);

    /** Queues datagrams (up to {@link #QUEUE}) until a receiver attaches. */
    void detach();

    /** Datagrams dropped because the queue was full. */
    long dropped();

    /** Unbinds; queued datagrams are released. */
    void close();
}
