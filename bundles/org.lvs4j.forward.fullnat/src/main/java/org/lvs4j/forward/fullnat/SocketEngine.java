package org.lvs4j.forward.fullnat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Hashtable;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.socket.SocketChannel;

import org.lvs4j.api.Director;
import org.lvs4j.api.Engine;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.RealServerStatus;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.ServiceStatus;
import org.lvs4j.api.forward.DataPath;
import org.lvs4j.api.forward.Forwarder;
import org.lvs4j.api.forward.ServiceBinder;
import org.lvs4j.netty.EventLoops;
import org.lvs4j.api.ha.HaResource;
import org.lvs4j.netty.ListenerHub;
import org.lvs4j.netty.TcpListener;
import org.lvs4j.netty.UdpListener;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket engine: the forwarder of full-NAT real servers ({@code -b}) and the binder of their services.
 *
 * <p>A service is bound when its first {@code -b} real server is added: its VIP:port listener (TCP) or socket (UDP)
 * comes from the {@link ListenerHub}, so when this bundle is updated or stopped the listeners stay and hold new
 * connections (and queue datagrams) for the next engine; the connections this engine carries end with it. When the
 * framework stops, the engine stops accepting and drains for up to {@code lvs4j.grace} seconds.
 *
 * <p>Open connections are capped below the file-descriptor limit (two descriptors each, minus a reserve for the
 * admin surfaces); at the cap the listeners stop accepting, and resume below 95 % of it.
 */
@Component(immediate = true, service = {ServiceBinder.class, Forwarder.class},
        property = {ServiceBinder.ENGINE + "=socket", Forwarder.METHOD + "=fullnat"})
public class SocketEngine implements ServiceBinder, Forwarder {

    static final Logger LOG = LoggerFactory.getLogger(SocketEngine.class);
    /** Framework property: cap on open proxied connections (default: derived from the descriptor limit). */
    public static final String MAX_CONNECTIONS = "lvs4j.fullnat.maxconn";
    /** Framework property set by {@code ./lvs4j run --ha-dir}: the listeners become an HA resource. */
    static final String HA_DIR = "lvs4j.ha.dir";

    private final DataPath dataPath;
    private final EventLoops loops;
    private final ListenerHub hub;
    private final Director director;
    private final BundleContext context;
    private final Map<ServiceKey, TcpListener> tcp = new ConcurrentHashMap<>();
    private final Map<ServiceKey, UdpService> udp = new ConcurrentHashMap<>();
    private final Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    /** Accepted connections waiting below the cap. */
    private final java.util.Queue<Runnable> queued = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final int cap;
    private final io.netty.channel.ChannelFactory<? extends SocketChannel> socketChannels;
    /** The transport's IPv4-only socket channel, or null: a dual-stack socket costs a setsockopt per connection. */
    private final java.lang.reflect.Constructor<? extends SocketChannel> ipv4Channels;
    private volatile boolean paused;
    /** Services with a -b real server, whether listening or not; guards listener changes. */
    private final Map<ServiceKey, ServiceConfig> bound = new java.util.LinkedHashMap<>();
    /** Whether the listeners are open: always without HA, only while master with {@code --ha-dir}. */
    private boolean held;
    private ServiceRegistration<HaResource> haRegistration;

    @Activate
    public SocketEngine(@Reference DataPath dataPath, @Reference EventLoops loops, @Reference ListenerHub hub,
                        @Reference Director director, BundleContext context) {
        this(dataPath, loops, hub, director, context, null);
    }

    /** Also for tests outside OSGi (then {@code context} is null). */
    SocketEngine(DataPath dataPath, EventLoops loops, ListenerHub hub, Director director, BundleContext context,
                 Integer maxConnections) {
        this.dataPath = dataPath;
        this.loops = loops;
        this.hub = hub;
        this.director = director;
        this.context = context;
        this.socketChannels = new io.netty.channel.ReflectiveChannelFactory<>(loops.socketChannel());
        this.ipv4Channels = ipv4Constructor(loops.socketChannel());
        this.cap = maxConnections != null ? maxConnections
                : cap(context == null ? null : context.getProperty(MAX_CONNECTIONS));
        LOG.info("socket engine on {}: at most {} connections", loops.transport(), cap);
        String haDir = context == null ? null : context.getProperty(HA_DIR);
        this.held = haDir == null || haDir.isBlank();
        closeStaleListeners();
        if (!held) {
            // a backup listens on nothing; if this director is master, the HA module acquires the listeners again
            hub.tcpAddresses().forEach(a -> closeQuietly(() -> hub.tcp(a).close()));
            hub.udpAddresses().forEach(a -> closeQuietly(() -> hub.udp(a).close()));
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(HaResource.NAME, "lvs4j");
            haRegistration = context.registerService(HaResource.class, new Listeners(), props);
            LOG.info("HA: the socket engine listens only while this director is master");
        }
    }

    DataPath dataPath() {
        return dataPath;
    }

    EventLoops loops() {
        return loops;
    }

    private static java.lang.reflect.Constructor<? extends SocketChannel> ipv4Constructor(
            Class<? extends SocketChannel> type) {
        try {
            return type.getConstructor(io.netty.channel.socket.SocketProtocolFamily.class);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /** A new, unregistered socket channel of the event loops' transport, to connect to {@code destination}. */
    SocketChannel newSocketChannel(java.net.InetAddress destination) {
        if (ipv4Channels != null && destination instanceof java.net.Inet4Address) {
            try {
                return ipv4Channels.newInstance(io.netty.channel.socket.SocketProtocolFamily.INET);
            } catch (ReflectiveOperationException e) {
                throw new io.netty.channel.ChannelException("cannot create an IPv4 socket channel", e);
            }
        }
        return socketChannels.newChannel();
    }

    int udpTimeoutSeconds() {
        return director.timeouts().udp();
    }

    @Override
    public ForwardMethod method() {
        return ForwardMethod.FULLNAT;
    }

    /** Listeners left by an earlier engine for services that are gone meanwhile. */
    private void closeStaleListeners() {
        Set<InetSocketAddress> tcpWanted = new HashSet<>();
        Set<InetSocketAddress> udpWanted = new HashSet<>();
        for (ServiceStatus s : director.services()) {
            boolean socket = s.realServers().stream().map(RealServerStatus::config)
                    .anyMatch(c -> c.method().engine() == Engine.SOCKET);
            if (socket) {
                (s.key().protocol() == Protocol.TCP ? tcpWanted : udpWanted).add(address(s.key()));
            }
        }
        for (InetSocketAddress a : hub.tcpAddresses()) {
            if (!tcpWanted.contains(a)) {
                closeQuietly(() -> hub.tcp(a).close());
            }
        }
        for (InetSocketAddress a : hub.udpAddresses()) {
            if (!udpWanted.contains(a)) {
                closeQuietly(() -> hub.udp(a).close());
            }
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void closeQuietly(IoAction a) {
        try {
            a.run();
        } catch (IOException e) {
            LOG.warn("closing a stale listener failed", e);
        }
    }

    private static InetSocketAddress address(ServiceKey key) {
        return new InetSocketAddress(key.address(), key.port());
    }

    @Override
    public void bind(ServiceConfig service) throws Exception {
        ServiceKey key = service.key();
        if (key.port() == 0) {
            throw new IOException("port-0 services cannot run on the socket engine");
        }
        synchronized (bound) {
            bound.put(key, service);
            if (held) {
                open(key);
            }
        }
    }

    /** Opens (or takes over from the hub) a service's listener. */
    private void open(ServiceKey key) throws IOException {
        if (key.protocol() == Protocol.TCP) {
            TcpListener l = hub.tcp(address(key));
            tcp.put(key, l);
            l.attach(ch -> accept(key, ch));
        } else {
            if (udp.containsKey(key)) {
                return;
            }
            UdpListener l = hub.udp(address(key));
            UdpService s = new UdpService(this, key, l);
            udp.put(key, s);
            l.attach(s::receive);
        }
    }

    @Override
    public void unbind(ServiceKey key) {
        synchronized (bound) {
            bound.remove(key);
            close(key);
        }
    }

    private void close(ServiceKey key) {
        TcpListener l = tcp.remove(key);
        if (l != null) {
            l.close();
        }
        UdpService s = udp.remove(key);
        if (s != null) {
            s.close();
        }
    }

    /**
     * The listeners as an HA resource (name {@code lvs4j}), for a director started with {@code --ha-dir}: only the
     * master listens on the services' addresses. On one host (a loopback pair, where no VIP can move between
     * interfaces) the listeners are what moves; the backup keeps its table warm without binding. Connections already
     * accepted carry on when the listeners close.
     */
    private final class Listeners implements HaResource {
        @Override
        public void acquire() throws IOException {
            synchronized (bound) {
                held = true;
                List<ServiceKey> opened = new java.util.ArrayList<>();
                try {
                    for (ServiceKey key : bound.keySet()) {
                        open(key);
                        opened.add(key);
                    }
                } catch (IOException e) {
                    opened.forEach(SocketEngine.this::close);
                    held = false;
                    throw e;
                }
                LOG.info("HA: listening on {} services", opened.size());
            }
        }

        @Override
        public void release() {
            synchronized (bound) {
                held = false;
                for (ServiceKey key : bound.keySet()) {
                    close(key);
                }
                LOG.info("HA: listeners closed ({} services kept for a takeover)", bound.size());
            }
        }
    }

    private void accept(ServiceKey key, SocketChannel ch) {
        clients.add(ch);
        ch.closeFuture().addListener(f -> clients.remove(ch));
        // Connections the accept loop took in the same batch as the one that reached the cap wait their turn.
        if (open.get() >= cap) {
            queued.add(() -> ch.eventLoop().execute(() -> {
                if (ch.isActive()) {
                    start(key, ch);
                }
            }));
            return;
        }
        start(key, ch);
    }

    private void start(ServiceKey key, SocketChannel ch) {
        connectionOpened();
        new TcpProxy(this, key, ch).start();
    }

    void connectionOpened() {
        if (open.incrementAndGet() >= cap && !paused) {
            paused = true;
            LOG.warn("connection cap {} reached: not accepting until connections end", cap);
            tcp.values().forEach(l -> l.accepting(false));
        }
    }

    void connectionClosed() {
        int now = open.decrementAndGet();
        Runnable next = now < cap ? queued.poll() : null;
        if (next != null) {
            next.run();
            return;
        }
        if (now < cap - cap / 20 && paused && queued.isEmpty()) {
            paused = false;
            LOG.info("below the connection cap again: accepting");
            tcp.values().forEach(l -> l.accepting(true));
        }
    }

    int openConnections() {
        return open.get();
    }

    /** Half the descriptors the process may open, after a reserve of 10 % (at least 64) for everything else. */
    static int cap(String configured) {
        if (configured != null) {
            try {
                return Math.max(1, Integer.parseInt(configured.trim()));
            } catch (NumberFormatException e) {
                LOG.warn("{}={} is not a number; deriving the cap from the descriptor limit", MAX_CONNECTIONS,
                        configured);
            }
        }
        long limit = openFileLimit();
        long reserve = Math.max(64, limit / 10);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (limit - reserve) / 2));
    }

    /** The soft RLIMIT_NOFILE from /proc/self/limits; 1024 when it cannot be read. */
    static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? 1 << 20 : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot read the descriptor limit", e);
        }
        return 1024;
    }

    @Deactivate
    void deactivate() {
        if (haRegistration != null) {
            haRegistration.unregister();
        }
        boolean shutdown = context != null && context.getBundle(0).getState() == Bundle.STOPPING;
        if (shutdown) {
            drain();
            return;
        }
        // Updated or stopped alone: the listeners stay and hold new connections for the next engine.
        long hold = dataPath.sysctl("plugin_wait_ms");
        tcp.values().forEach(l -> l.detach(hold));
        udp.values().forEach(UdpService::detach);
        tcp.clear();
        udp.clear();
        clients.forEach(Relay::resetChannel);
    }

    /** Graceful stop: no new connections, then wait up to the grace period for the open ones to end. */
    private void drain() {
        tcp.keySet().forEach(this::unbind);
        udp.keySet().forEach(this::unbind);
        long graceSeconds = 10;
        String g = context.getProperty("lvs4j.grace");
        if (g != null) {
            try {
                graceSeconds = Long.parseLong(g.trim());
            } catch (NumberFormatException e) {
                LOG.warn("lvs4j.grace={} is not a number of seconds; using 10", g);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(graceSeconds);
        if (!clients.isEmpty()) {
            LOG.info("draining {} connections for up to {} s", clients.size(), graceSeconds);
        }
        while (!clients.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!clients.isEmpty()) {
            LOG.info("grace over: resetting {} connections", clients.size());
            clients.forEach(Relay::resetChannel);
        }
    }
}
