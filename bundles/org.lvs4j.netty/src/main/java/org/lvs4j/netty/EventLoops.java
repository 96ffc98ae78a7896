package org.lvs4j.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;

import org.osgi.annotation.versioning.ProviderType;

/** The event loops every lvs4j bundle shares, with the channel classes of their transport. */
@ProviderType
public interface EventLoops {

    EventLoopGroup group();

    Class<? extends ServerSocketChannel> serverChannel();

    Class<? extends SocketChannel> socketChannel();

    Class<? extends DatagramChannel> datagramChannel();

    /** {@code epoll} or {@code nio}. */
    String transport();
}
