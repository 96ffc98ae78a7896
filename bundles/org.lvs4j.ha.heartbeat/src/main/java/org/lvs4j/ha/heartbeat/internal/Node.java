/*
 * One director of an HA pair on the wire: every keepalive it ticks the election (Brain) and sends its status to the
 * peer over each ucast medium; a receiver thread takes the peer's datagrams, and only those that are well formed,
 * signed with a known key, from the peer's node name and fresh (ReplayGuard) reach the election. Everything else is
 * counted by reason and changes nothing. Stepping down, and stopping, send a release message first, so the peer takes
 * over at once instead of after deadtime. On request (lvs:ha diff) a node sends its table, as ipvsadm -S -n prints it,
 * in signed parts.
 *
 * Media: ucast (to the peer, from an optional local address), mcast (a group joined on the device, with heartbeat's
 * TTL and loop settings) and bcast (the device's IPv4 broadcast address); a node's own looped-back statuses are
 * ignored.
 */
package org.lvs4j.ha.heartbeat.internal;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.lvs4j.peer.support.ReplayGuard;

final class Node implements AutoCloseable {

    /** What the director does on a role change. */
    interface Actions {
        /** Acquire the resources, left to right. */
        void becomeMaster() throws Exception;

        /** Release them, right to left. */
        void stepDown() throws Exception;

        /** Announce the VIPs again (gratuitous ARP): a former co-master just released them. */
        void reannounce();
    }

    /** Why a received datagram was dropped. */
    enum Drop { MALFORMED, UNSIGNED, UNKNOWN_KEY, BAD_SIGNATURE, NOT_THE_PEER, REPLAYED, STALE_GENERATION, TOO_OLD }

    private final HaConfig config;
    private final AuthKeys keys;
    private final Actions actions;
    private final LongSupplier clock;
    private final Brain brain;
    private final ReplayGuard replay = new ReplayGuard();
    private final long generation = System.currentTimeMillis();
    private final List<DatagramSocket> sockets = new ArrayList<>();
    private final List<InetSocketAddress> peers = new ArrayList<>();
    private final Map<Drop, Long> drops = new EnumMap<>(Drop.class);
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("lvs4j-ha-tick").unstarted(r));
    private final List<Thread> receivers = new ArrayList<>();
    private long seq;
    private long received;
    /** This director's table as {@code ipvsadm -S -n} prints it, for the peer's {@code lvs:ha diff}. */
    private volatile java.util.function.Supplier<String> table = () -> "";
    /** Answers to this node's table requests, by request id. */
    private final Map<String, TableAnswer> answers = new java.util.HashMap<>();
    private long requests;
    /** The last role changes, oldest first, for lvs:ha. */
    private final java.util.ArrayDeque<String> transitions = new java.util.ArrayDeque<>();
    private volatile boolean open = true;
    private boolean stopped;
    private String lastError = "";

    Node(HaConfig config, AuthKeys keys, String resourceOwner, Actions actions, LongSupplier clock) {
        this.config = config;
        this.keys = keys;
        this.actions = actions;
        this.clock = clock;
        this.brain = new Brain(config, resourceOwner, clock.getAsLong());
    }

    /** Binds the media and starts ticking. */
    void start() throws IOException {
        listen();
        run();
    }

    private void bind() throws IOException {
        for (HaConfig.Medium m : config.media()) {
            switch (m) {
                case HaConfig.Ucast u -> {
                    DatagramSocket s = new DatagramSocket(null);
                    s.setReuseAddress(true);
                    s.bind(new InetSocketAddress(u.from(), u.port()));
                    sockets.add(s);
                    peers.add(new InetSocketAddress(u.peer(), u.port()));
                }
                case HaConfig.Mcast mc -> {
                    NetworkInterface nif = device(mc.device());
                    java.net.MulticastSocket s = new java.net.MulticastSocket(null);
                    s.setReuseAddress(true);
                    s.bind(new InetSocketAddress(mc.port()));
                    s.setNetworkInterface(nif);
                    s.setTimeToLive(mc.ttl());
                    s.setOption(java.net.StandardSocketOptions.IP_MULTICAST_LOOP, mc.loop());
                    s.joinGroup(new InetSocketAddress(mc.group(), 0), nif);
                    sockets.add(s);
                    peers.add(new InetSocketAddress(mc.group(), mc.port()));
                }
                case HaConfig.Bcast bc -> {
                    NetworkInterface nif = device(bc.device());
                    java.net.InetAddress broadcast = nif.getInterfaceAddresses().stream()
                            .map(java.net.InterfaceAddress::getBroadcast).filter(java.util.Objects::nonNull)
                            .findFirst().orElseThrow(() -> new IOException("bcast " + bc.device()
                                    + ": the interface has no IPv4 broadcast address"));
                    DatagramSocket s = new DatagramSocket(null);
                    s.setReuseAddress(true);
                    s.setBroadcast(true);
                    s.bind(new InetSocketAddress(bc.port()));
                    sockets.add(s);
                    peers.add(new InetSocketAddress(broadcast, bc.port()));
                }
            }
        }
    }

    /** Binds the media and listens, but takes part in the election only from {@link #run()}. */
    void listen() throws IOException {
        bind();
        for (DatagramSocket s : sockets) {
            receivers.add(Thread.ofPlatform().daemon().name("lvs4j-ha-receive").start(() -> receive(s)));
        }
    }

    /** Starts ticking: statuses go out and the election runs. */
    synchronized void run() {
        if (!stopped) {
            ticker.scheduleAtFixedRate(this::tick, 0, config.keepaliveMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static NetworkInterface device(String name) throws IOException {
        NetworkInterface nif = NetworkInterface.getByName(name);
        if (nif == null) {
            throw new IOException("no interface " + name);
        }
        return nif;
    }

    synchronized Brain.Role role() {
        return brain.role();
    }

    private void receive(DatagramSocket s) {
        byte[] buf = new byte[Message.MAX_BYTES + 1];
        while (open) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (IOException e) {
                if (open) {
                    synchronized (this) {
                        lastError = "receive: " + e.getMessage();
                    }
                }
                continue;
            }
            take(buf, p.getLength());
        }
    }

    /** One datagram from the network. */
    synchronized void take(byte[] data, int length) {
        received++;
        Map<String, String> f;
        try {
            f = Message.decode(data, length, keys);
        } catch (Message.Rejected e) {
            drop(Drop.valueOf(e.reason.name()));
            return;
        }
        if (brain.self().equals(f.get("src"))) {
            return; // its own status, looped back by a multicast or broadcast medium
        }
        if (!brain.peer().equals(f.get("src"))) {
            drop(Drop.NOT_THE_PEER);
            return;
        }
        long hg;
        long sq;
        Brain.Role role;
        try {
            hg = Long.parseLong(f.get("hg"), 16);
            sq = Long.parseLong(f.get("seq"), 16);
            role = Brain.Role.valueOf(f.getOrDefault("st", "").toUpperCase(java.util.Locale.ROOT));
        } catch (RuntimeException e) {
            drop(Drop.MALFORMED);
            return;
        }
        switch (replay.check(f.get("src"), hg, sq)) {
            case REPLAYED -> drop(Drop.REPLAYED);
            case STALE_GENERATION -> drop(Drop.STALE_GENERATION);
            case TOO_OLD -> drop(Drop.TOO_OLD);
            case FRESH -> {
                long now = clock.getAsLong();
                if ("release".equals(f.get("t"))) {
                    brain.released(now, "1".equals(f.get("sb")));
                    tick(); // take over now, not at the next keepalive
                } else if ("tablereq".equals(f.get("t"))) {
                    sendTable(f.get("rq"));
                    return;
                } else if ("table".equals(f.get("t"))) {
                    TableAnswer a = answers.get(f.get("rq"));
                    if (a != null) {
                        a.part(f);
                    }
                    return;
                } else if ("takeover".equals(f.get("t"))) {
                    brain.standby(); // the peer's operator asked for the resources: they go at the next tick
                } else {
                    long ms;
                    try {
                        ms = Long.parseLong(f.getOrDefault("ms", "0"), 16);
                    } catch (NumberFormatException e) {
                        ms = 0;
                    }
                    brain.heard(new Brain.PeerStatus(role, ms, hg, "1".equals(f.get("sb"))), now);
                }
                if (brain.role() == Brain.Role.MASTER && brain.reannounce()) {
                    actions.reannounce();
                }
            }
        }
    }

    private void drop(Drop why) {
        drops.merge(why, 1L, Long::sum);
    }

    private synchronized void tick() {
        if (!open) {
            return;
        }
        long now = clock.getAsLong();
        Brain.Role before = brain.role();
        Brain.Role after = brain.tick(now);
        if (before != after) {
            String t = java.time.LocalTime.now().withNano(0) + " " + before + " -> " + after
                    + (brain.standingBy() ? " (standby)" : "");
            transitions.addLast(t);
            if (transitions.size() > 10) {
                transitions.removeFirst();
            }
            HeartbeatComponent.LOG.info("HA: {} {} -> {}", brain.self(), before, after);
        }
        try {
            if (before != Brain.Role.MASTER && after == Brain.Role.MASTER) {
                actions.becomeMaster();
            } else if (before == Brain.Role.MASTER && after != Brain.Role.MASTER) {
                actions.stepDown();
                send("release", after, now);
            }
        } catch (Exception e) {
            lastError = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        send("status", after, now);
    }

    private void send(String type, Brain.Role role, long now) {
        send(type, role, now, Map.of());
    }

    private void send(String type, Brain.Role role, long now, Map<String, String> extra) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("t", type);
        m.put("st", role.name().toLowerCase(java.util.Locale.ROOT));
        m.put("src", brain.self());
        m.put("hg", Long.toHexString(generation));
        m.put("seq", Long.toHexString(++seq));
        m.put("ms", Long.toHexString(brain.masterForMillis(now)));
        m.put("dt", Long.toHexString(config.deadtimeMillis()));
        if (brain.standingBy()) {
            m.put("sb", "1");
        }
        m.putAll(extra);
        byte[] d = Message.encode(m, keys);
        for (int i = 0; i < sockets.size(); i++) {
            try {
                sockets.get(i).send(new DatagramPacket(d, d.length, peers.get(i)));
            } catch (IOException e) {
                lastError = "send to " + peers.get(i) + ": " + e.getMessage();
            }
        }
    }

    /** heartbeat's hb_standby: the resources go to the peer (if it lives) at the next keepalive. */
    synchronized void standby() {
        brain.standby();
    }

    /** heartbeat's hb_takeover: asks the peer to stand by; it releases, and this node takes over on the release. */
    synchronized void takeover() {
        brain.endStandby();
        send("takeover", brain.role(), clock.getAsLong());
    }

    /** Where this director's table comes from when the peer asks for it. */
    void tableSource(java.util.function.Supplier<String> source) {
        this.table = source;
    }

    /** Bytes of table text per message: base64 of it, with the other fields, stays under Message.MAX_BYTES. */
    static final int TABLE_CHUNK = 2400;

    /** The peer asked for this director's table: it goes in signed parts, each naming the request and its place. */
    private void sendTable(String request) {
        if (request == null || request.length() > 16) {
            drop(Drop.MALFORMED);
            return;
        }
        byte[] text = table.get().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int parts = Math.max(1, (text.length + TABLE_CHUNK - 1) / TABLE_CHUNK);
        long now = clock.getAsLong();
        for (int i = 0; i < parts; i++) {
            byte[] chunk = java.util.Arrays.copyOfRange(text, i * TABLE_CHUNK,
                    Math.min(text.length, (i + 1) * TABLE_CHUNK));
            send("table", brain.role(), now, Map.of("rq", request, "part", Integer.toString(i), "of",
                    Integer.toString(parts), "text", java.util.Base64.getEncoder().encodeToString(chunk)));
        }
    }

    /** The parts of one answer to a table request. */
    private static final class TableAnswer {
        final java.util.concurrent.CompletableFuture<String> done = new java.util.concurrent.CompletableFuture<>();
        final Map<Integer, byte[]> parts = new java.util.TreeMap<>();

        void part(Map<String, String> f) {
            try {
                int of = Integer.parseInt(f.get("of"));
                int part = Integer.parseInt(f.get("part"));
                if (of < 1 || of > 10_000 || part < 0 || part >= of) {
                    return;
                }
                parts.put(part, java.util.Base64.getDecoder().decode(f.getOrDefault("text", "")));
                if (parts.size() == of) {
                    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
                    parts.values().forEach(b::writeBytes);
                    done.complete(b.toString(java.nio.charset.StandardCharsets.UTF_8));
                }
            } catch (RuntimeException e) {
                // a malformed part is ignored: the request times out and says so
            }
        }
    }

    /** Asks the peer for its table; completes with its {@code ipvsadm -S -n} text. */
    java.util.concurrent.CompletableFuture<String> peerTable() {
        String id;
        TableAnswer a = new TableAnswer();
        synchronized (this) {
            id = Long.toHexString(++requests);
            answers.put(id, a);
            send("tablereq", brain.role(), clock.getAsLong(), Map.of("rq", id));
        }
        a.done.whenComplete((t, e) -> {
            synchronized (this) {
                answers.remove(id);
            }
        });
        return a.done;
    }

    /** What {@code lvs:ha} shows. */
    synchronized String describe() {
        StringBuilder b = new StringBuilder();
        b.append(brain.self()).append(": ").append(brain.role()).append(brain.standingBy() ? " (standby)" : "")
                .append(", peer ").append(brain.peer()).append('\n');
        b.append("received ").append(received).append(" datagrams");
        drops.forEach((k, v) -> b.append(", ").append(v).append(' ').append(k.name().toLowerCase()));
        b.append('\n');
        if (!lastError.isEmpty()) {
            b.append("last error: ").append(lastError).append('\n');
        }
        if (!transitions.isEmpty()) {
            b.append("transitions:\n");
            transitions.forEach(t -> b.append("  ").append(t).append('\n'));
        }
        return b.toString();
    }

    /** The last role changes, oldest first. */
    synchronized java.util.List<String> transitions() {
        return java.util.List.copyOf(transitions);
    }

    /** Datagrams received so far, taken or not. */
    synchronized long received() {
        return received;
    }

    synchronized long dropped(Drop why) {
        return drops.getOrDefault(why, 0L);
    }

    /** Stops; a master releases its resources and tells the peer first (graceful), unless {@code abort}. */
    void stop(boolean abort) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        ticker.shutdownNow();
        synchronized (this) {
            if (!abort && brain.role() == Brain.Role.MASTER) {
                try {
                    actions.stepDown();
                } catch (Exception e) {
                    lastError = e.getMessage();
                }
                brain.standby(); // leaving: the release says so, and the peer keeps the resources
                send("release", Brain.Role.BACKUP, clock.getAsLong());
            }
            open = false;
        }
        for (DatagramSocket s : sockets) {
            s.close();
        }
        for (Thread t : receivers) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stop(false);
    }
}
