package org.lvs4j.netty.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import org.lvs4j.netty.EventLoops;
import org.lvs4j.netty.ListenerHub;
import org.lvs4j.netty.TcpListener;
import org.lvs4j.netty.UdpListener;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loops (framework property {@value #THREADS}, default one per core) and the listener hub.
 */
@Component(immediate = true, service = {EventLoops.class, ListenerHub.class})
public class NettyComponent implements EventLoops, ListenerHub {

    /** Framework property: number of event-loop threads. */
    public static final String THREADS = "lvs4j.netty.threads";
    private static final Logger LOG = LoggerFactory.getLogger(NettyComponent.class);

    private final boolean epoll;
    private final EventLoopGroup group;
    private final Map<InetSocketAddress, Tcp> tcp = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, Udp> udp = new ConcurrentHashMap<>();

    @Activate
    public NettyComponent(BundleContext context) {
        this(threads(context.getProperty(THREADS)));
    }

    /** Outside OSGi (tests). */
    public NettyComponent(int threads) {
        this.epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? new EpollReAdd() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(threads, io);
        LOG.info("{} event loops on {}", threads, transport());
    }

    private static int threads(String property) {
        try {
            return property == null ? Runtime.getRuntime().availableProcessors() : Math.max(1, Integer.parseInt(property));
        } catch (NumberFormatException e) {
            LOG.warn("{}={} is not a number; using one thread per core", THREADS, property);
            return Runtime.getRuntime().availableProcessors();
        }
    }

    @Deactivate
    public void close() {
        tcp.values().forEach(Tcp::close);
        udp.values().forEach(Udp::close);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Override
    public EventLoopGroup group() {
        return group;
    }

    @Override
    public Class<? extends ServerSocketChannel> serverChannel() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    @Override
    public Class<? extends SocketChannel> socketChannel() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    @Override
    public Class<? extends DatagramChannel> datagramChannel() {
        return epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    @Override
    public String transport() {
        return epoll ? "epoll" : "nio";
    }

    @Override
    public synchronized TcpListener tcp(InetSocketAddress address) throws IOException {
        Tcp l = tcp.get(address);
        if (l == null) {
            l = new Tcp(address);
            tcp.put(address, l);
        }
        return l;
    }

    @Override
    public synchronized UdpListener udp(InetSocketAddress address) throws IOException {
        Udp l = udp.get(address);
        if (l == null) {
            l = new Udp(address);
            udp.put(address, l);
        }
        return l;
    }

    @Override
    public Set<InetSocketAddress> tcpAddresses() {
        return Set.copyOf(tcp.keySet());
    }

    @Override
    public Set<InetSocketAddress> udpAddresses() {
        return Set.copyOf(udp.keySet());
    }

    private static IOException bindError(InetSocketAddress address, ChannelFuture f) {
        Throwable cause = f.cause();
        String why = cause == null ? "unknown error" : cause.getMessage();
        return new IOException("cannot bind " + address + ": " + why, cause);
    }

    /** Resets a TCP connection (RST rather than FIN), as a refused connection should look. */
    static void reset(Channel ch) {
        if (ch.isOpen()) {
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            ch.close();
        }
    }

    private final class Tcp implements TcpListener {
        private final InetSocketAddress address;
        private final InetSocketAddress bound;
        private final Channel server;
        private final Set<SocketChannel> held = ConcurrentHashMap.newKeySet();
        private volatile Consumer<SocketChannel> acceptor;
        private volatile long holdMillis = 2000;

        Tcp(InetSocketAddress address) throws IOException {
            this.address = address;
            ServerBootstrap b = new ServerBootstrap()
                    .group(group)
                    .channel(serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    // TCP_NODELAY: Netty's channels set it when created; setting it again is a system call per accept
                    .childHandler(new Accepted());
            ChannelFuture f = b.bind(address).awaitUninterruptibly();
            if (!f.isSuccess()) {
                throw bindError(address, f);
            }
            this.server = f.channel();
            this.bound = (InetSocketAddress) server.localAddress();
            LOG.info("listening on tcp {}", bound);
        }

        /**
         * Hands each accepted channel on once it is registered. Unlike a ChannelInitializer it stays in the pipeline
         * (it handles no events, so Netty skips it) and saves a pipeline removal and map update per connection.
         */
        @ChannelHandler.Sharable
        private final class Accepted extends ChannelHandlerAdapter {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                accepted((SocketChannel) ctx.channel());
            }
        }

        private void accepted(SocketChannel ch) {
            Consumer<SocketChannel> a = acceptor;
            if (a != null) {
                a.accept(ch);
                return;
            }
            held.add(ch);
            ch.closeFuture().addListener(f -> held.remove(ch));
            ch.eventLoop().schedule(() -> {
                if (held.remove(ch)) {
                    reset(ch);
                }
            }, holdMillis, TimeUnit.MILLISECONDS);
            // An acceptor that attached meanwhile may have missed this channel.
            Consumer<SocketChannel> late = acceptor;
            if (late != null && held.remove(ch)) {
                late.accept(ch);
            }
        }

        @Override
        public InetSocketAddress address() {
            return bound;
        }

        @Override
        public void attach(Consumer<SocketChannel> a) {
            acceptor = a;
            for (SocketChannel ch : held) {
                if (held.remove(ch)) {
                    ch.eventLoop().execute(() -> a.accept(ch));
                }
            }
        }

        @Override
        public void detach(long hold) {
            holdMillis = hold;
            acceptor = null;
        }

        @Override
        public void accepting(boolean accept) {
            server.config().setAutoRead(accept);
        }

        @Override
        public void close() {
            synchronized (NettyComponent.this) {
                tcp.remove(address, this);
            }
            acceptor = null;
            server.close().awaitUninterruptibly();
            for (SocketChannel ch : held) {
                if (held.remove(ch)) {
                    reset(ch);
                }
            }
            LOG.info("closed tcp {}", address);
        }
    }

    private final class Udp implements UdpListener {
        private final InetSocketAddress address;
        private final InetSocketAddress bound;
        private final DatagramChannel channel;
        /** Confined to the channel's event loop. */
        private final ArrayDeque<DatagramPacket> queue = new ArrayDeque<>();
        private final AtomicLong dropped = new AtomicLong();
        /** Written on the event loop only. */
        private Consumer<DatagramPacket> receiver;

        Udp(InetSocketAddress address) throws IOException {
            this.address = address;
            Bootstrap b = new Bootstrap()
                    .group(group)
                    .channel(datagramChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(ChannelOption.SO_RCVBUF, 4 << 20)
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>(false) {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                            received(p);
                        }
                    });
            ChannelFuture f = b.bind(address).awaitUninterruptibly();
            if (!f.isSuccess()) {
                throw bindError(address, f);
            }
            this.channel = (DatagramChannel) f.channel();
            this.bound = (InetSocketAddress) channel.localAddress();
            LOG.info("listening on udp {}", bound);
        }

        private void received(DatagramPacket p) {
            Consumer<DatagramPacket> r = receiver;
            if (r != null) {
                r.accept(p);
            } else if (queue.size() < QUEUE) {
                queue.add(p);
            } else {
                p.release();
                dropped.incrementAndGet();
            }
        }

        @Override
        public InetSocketAddress address() {
            return bound;
        }

        @Override
        public DatagramChannel channel() {
            return channel;
        }

        @Override
        public void attach(Consumer<DatagramPacket> r) {
            channel.eventLoop().execute(() -> {
                DatagramPacket p;
                while ((p = queue.poll()) != null) {
                    r.accept(p);
                }
                receiver = r;
            });
        }

        @Override
        public void detach() {
            channel.eventLoop().execute(() -> receiver = null);
        }

        @Override
        public long dropped() {
            return dropped.get();
        }

        @Override
        public void close() {
            synchronized (NettyComponent.this) {
                udp.remove(address, this);
            }
            channel.close().awaitUninterruptibly();
            channel.eventLoop().execute(() -> {
                receiver = null;
                DatagramPacket p;
                while ((p = queue.poll()) != null) {
                    p.release();
                }
            });
            LOG.info("closed udp {}", address);
        }
    }
}
