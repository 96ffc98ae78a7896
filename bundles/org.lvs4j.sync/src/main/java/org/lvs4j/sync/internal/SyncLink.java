package org.lvs4j.sync.internal;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.lvs4j.api.sync.ConnectionSync;
import org.lvs4j.api.sync.SyncSettings;
import org.lvs4j.api.sync.SyncedConnection;
import org.lvs4j.peer.support.ReplayGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sync socket and its two threads: a sender that batches what the director reports into messages (sent 20 ms
 * after the first record queued, IPVS's SEND_DELAY, or as soon as a message is full) and a receiver that applies a
 * peer's records while the backup role is on and answers resync requests while the master role is on.
 *
 * <p>The socket is bound to the sync port and joins the group on the interface; multicast loop is off, so a director
 * never reads its own messages. With a unicast "group" (lvs4j's extension for networks without multicast) messages
 * go to that peer. The queue is bounded (IPVS's sync_qlen_max): when the peer cannot keep up, records are dropped and
 * counted rather than the director's memory growing.
 */
final class SyncLink implements AutoCloseable {

    static final long SEND_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    static final int QUEUE = 65_536;
    private static final Logger LOG = LoggerFactory.getLogger(SyncLink.class);

    private final ConnectionSync director;
    private final SyncSettings settings;
    private final Wire.Key key;
    private final DatagramChannel channel;
    private final SocketAddress peer;
    private final InetAddress bindAddress;
    private final int boundPort;
    /** Whether a sender's address is one of this host's, by address (peers are few). */
    private final Map<InetAddress, Boolean> local = new ConcurrentHashMap<>();
    private final long generation = System.currentTimeMillis();
    private final AtomicLong sequence = new AtomicLong();
    private final ReplayGuard replay = new ReplayGuard();
    private final BlockingQueue<SyncedConnection> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final Thread receiver;
    private final Thread sender;
    /** Sync ids of the roles, -1 while a role is off. */
    private volatile int masterId = -1;
    private volatile int backupId = -1;
    private volatile boolean closed;

    SyncLink(ConnectionSync director, SyncSettings settings, Wire.Key key) throws IOException {
        this(director, settings, key, new InetSocketAddress(settings.port()),
                new InetSocketAddress(settings.group(), settings.port()));
    }

    /** With the socket's own address and the peer's (or the group's) given apart: for two directors on one host. */
    SyncLink(ConnectionSync director, SyncSettings settings, Wire.Key key, InetSocketAddress bind,
             InetSocketAddress peer) throws IOException {
        this.director = director;
        this.settings = settings;
        this.key = key;
        InetAddress group = settings.group();
        boolean v6 = group instanceof Inet6Address;
        this.channel = DatagramChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(bind);
            NetworkInterface nif = NetworkInterface.getByName(settings.mcastInterface());
            if (group.isMulticastAddress()) {
                channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
                channel.setOption(StandardSocketOptions.IP_MULTICAST_TTL, settings.ttl());
                channel.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false);
                channel.join(group, nif);
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        this.peer = peer;
        InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
        this.bindAddress = local.getAddress();
        this.boundPort = local.getPort();
        this.receiver = Thread.ofPlatform().daemon().name("lvs4j-sync-receiver").start(this::receive);
        this.sender = Thread.ofPlatform().daemon().name("lvs4j-sync-sender").start(this::send);
    }

    /** Turns the master role on with a sync id, or off with -1: the director's reports are queued while on. */
    void master(int syncId) {
        masterId = syncId;
        director.syncSink(syncId < 0 ? null : this::queue);
    }

    /** Turns the backup role on with a sync id (and asks the master for its table), or off with -1. */
    void backup(int syncId) {
        backupId = syncId;
        if (syncId >= 0) {
            transmit(Wire.resyncRequest(syncId));
            count("resync requests sent");
        }
    }

    private void queue(SyncedConnection c) {
        if (!queue.offer(c)) {
            count("records dropped (queue full)");
        }
    }

    private void send() {
        List<SyncedConnection> batch = new ArrayList<>();
        int perMessage = (settings.maxLength() - Wire.HEADER - (key == null ? 0 : Wire.TRAILER)) / Wire.V4_RECORD;
        while (!closed) {
            try {
                SyncedConnection first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + SEND_DELAY_NANOS;
                while (batch.size() < perMessage) {
                    long left = deadline - System.nanoTime();
                    SyncedConnection next = left <= 0 ? queue.poll() : queue.poll(left, TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                int id = masterId;
                if (id >= 0) {
                    sendRecords(id, batch);
                }
                batch.clear();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("sync sender: {}", e.toString());
                batch.clear();
            }
        }
    }

    private void sendRecords(int syncId, List<SyncedConnection> records) {
        for (ByteBuffer m : Wire.encode(syncId, records, settings.maxLength() - (key == null ? 0 : Wire.TRAILER))) {
            transmit(m);
            count("messages sent");
        }
        counter("records sent").add(records.size());
    }

    private void transmit(ByteBuffer message) {
        ByteBuffer out = key == null ? message.flip() : Wire.sign(message, key, generation, sequence.incrementAndGet());
        try {
            channel.send(out, peer);
        } catch (ClosedChannelException e) {
            // closing
        } catch (IOException e) {
            count("send errors");
            LOG.debug("sync send to {}: {}", peer, e.toString());
        }
    }

    private void receive() {
        ByteBuffer buf = ByteBuffer.allocate(65_536);
        while (!closed) {
            SocketAddress from;
            try {
                buf.clear();
                from = channel.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                count("receive errors");
                continue;
            }
            try {
                handle(buf.array(), buf.position(), from);
            } catch (Wire.BadMessage e) {
                count("refused: " + e.reason);
                LOG.debug("sync message from {} refused: {}", from, e.getMessage());
            } catch (RuntimeException e) {
                count("refused: malformed");
                LOG.debug("sync message from {} refused", from, e);
            }
        }
    }

    private void handle(byte[] d, int length, SocketAddress from) throws Wire.BadMessage {
        if (own(from)) {
            // A unicast "group" that is this host itself, or a peer on this host sending to our port: our own echo.
            count("ignored (own messages)");
            return;
        }
        count("messages received");
        int body = length;
        if (key != null) {
            Wire.Freshness f = Wire.verify(d, length, key);
            String sender = from instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : String.valueOf(from);
            switch (replay.check(sender, f.generation(), f.sequence())) {
                case FRESH -> {
                }
                case REPLAYED, TOO_OLD -> throw new Wire.BadMessage("replayed", "sequence " + f.sequence()
                        + " was seen or is too old");
                case STALE_GENERATION -> throw new Wire.BadMessage("stale generation", "generation "
                        + f.generation() + " is older than the sender's current one");
            }
            body = length - Wire.TRAILER;
        }
        Wire.Message m = Wire.decode(d, body);
        if (m.resyncRequest()) {
            int id = masterId;
            if (id >= 0 && (m.syncId() == id || id == 0 || m.syncId() == 0)) {
                count("resync requests answered");
                List<SyncedConnection> all = director.syncSnapshot();
                if (!all.isEmpty()) {
                    sendRecords(id, all);
                }
            }
            return;
        }
        int id = backupId;
        if (id < 0) {
            count("ignored (no backup daemon)");
            return;
        }
        if (id != 0 && m.syncId() != id) {
            throw new Wire.BadMessage("other syncid", "syncid " + m.syncId() + ", this backup's is " + id);
        }
        for (SyncedConnection r : m.records()) {
            String why = director.applySynced(r);
            if (why == null) {
                count("records applied");
            } else {
                count("records not applied");
                LOG.debug("synced entry not applied: {}", why);
            }
        }
    }

    /** A datagram from this very socket: from its port, and from its address or (bound to any) one of the host's. */
    private boolean own(SocketAddress from) {
        if (!(from instanceof InetSocketAddress a) || a.getPort() != boundPort) {
            return false;
        }
        if (!bindAddress.isAnyLocalAddress()) {
            return a.getAddress().equals(bindAddress);
        }
        return local.computeIfAbsent(a.getAddress(), address -> {
            try {
                return address.isLoopbackAddress() || NetworkInterface.getByInetAddress(address) != null;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private void count(String name) {
        counter(name).increment();
    }

    private LongAdder counter(String name) {
        return counters.computeIfAbsent(name, k -> new LongAdder());
    }

    /** The counters by name. */
    Map<String, Long> counters() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    @Override
    public void close() {
        closed = true;
        director.syncSink(null);
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing the sync socket", e);
        }
        sender.interrupt();
        try {
            receiver.join(2000);
            sender.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
