package org.lvs4j.netty;

import java.net.InetSocketAddress;
import java.util.function.Consumer;

import io.netty.channel.socket.SocketChannel;

import org.osgi.annotation.versioning.ProviderType;

/** A listening TCP socket. Accepted channels arrive unread (auto-read off), with half-closure allowed. */
@ProviderType
public interface TcpListener {

    InetSocketAddress address();

    /**
     * Starts handing accepted channels to {@code acceptor} (on the channel's event loop), first those held while
     * nothing was attached.
     */
    void attach(Consumer<SocketChannel> acceptor);

    /**
     * Stops handing channels over: from now on accepted channels are held unread for up to {@code holdMillis}, then
     * reset, unless an acceptor attaches in time.
     */
    void detach(long holdMillis);

    /** Stops or resumes accepting (a connection cap reached or left); the kernel's backlog queues meanwhile. */
    void accepting(boolean accept);

    /** Unbinds; held channels are reset. */
    void close();
}
