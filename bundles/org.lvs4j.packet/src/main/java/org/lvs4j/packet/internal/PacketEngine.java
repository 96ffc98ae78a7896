package org.lvs4j.packet.internal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.lvs4j.api.Addresses;
import org.lvs4j.api.Director;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.forward.DataPath;
import org.lvs4j.api.forward.ServiceBinder;
import org.lvs4j.packet.spi.PacketTransform;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The packet engine: binder of the services whose real servers are {@code -g}, {@code -i} or {@code -m}.
 *
 * <p>It attaches an AF_PACKET socket, with a BPF filter for the VIPs and the NAT real servers, to each interface that
 * holds a VIP (or to the interfaces its configuration names), runs one receive thread per interface, and keeps the
 * kernel's copy of that traffic away with an nft table of its own. A VIP that no interface holds yet (an HA backup)
 * waits: the engine looks again every 250 ms (an HA takeover is carried within it) and attaches when the address
 * appears. Routes and neighbour entries are read from the kernel as often; next hops without a neighbour entry are resolved by sending them a datagram
 * to the discard port, so the kernel does the ARP.
 */
@Component(immediate = true, service = {ServiceBinder.class, PacketEngine.class},
        property = {ServiceBinder.ENGINE + "=packet", "osgi.command.scope=lvs", "osgi.command.function=packet"},
        configurationPid = PacketEngine.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = PacketEngine.Config.class)
public class PacketEngine implements ServiceBinder {

    static final String PID = "org.lvs4j.packet";
    static final Logger LOG = LoggerFactory.getLogger(PacketEngine.class);

    @ObjectClassDefinition(name = "lvs4j packet engine")
    @interface Config {
        @AttributeDefinition(description = "Interfaces to receive VIP traffic on, comma-separated; empty: each "
                + "interface that holds a VIP")
        String interfaces() default "";
    }

    private final DataPath path;
    private final Director director;
    private final AtomicReferenceArray<PacketTransform> transforms =
            new AtomicReferenceArray<>(ForwardMethod.values().length);
    private final HostRules rules;
    private final List<String> configured;
    private final Map<String, Intake> intakes = new LinkedHashMap<>();
    private final long[] retired = new long[Counter.ALL.length];
    private final Set<Integer> unresolved = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("lvs4j-packet-housekeeping").unstarted(r));
    private final Runnable onChange = this::refreshSoon;
    private volatile Setup setup = Setup.EMPTY;
    private volatile String privilegeProblem;
    private List<HostRules.Rule> installed = List.of();
    private List<Integer> filtered;
    private volatile String lastProblem = "";
    /** The TUN device for Local real servers, open while some packet service has one. */
    private final String localName;
    private Tun local;
    /** Housekeeping rounds (4 a second); every {@link #ARP_EVERY}th the real servers' MACs are asked again. */
    private long rounds;
    private static final int ARP_EVERY = 8;

    @Activate
    public PacketEngine(@Reference DataPath path, @Reference Director director, BundleContext context,
                        Config config) {
        this(path, director, context == null ? null : context.getProperty("lvs4j.state.dir"), config.interfaces());
    }

    /** Also for tests outside OSGi. */
    PacketEngine(DataPath path, Director director, String stateDir, String interfaces) {
        this.path = path;
        this.director = director;
        String instance = Integer.toHexString(stateDir == null ? 0 : stateDir.hashCode());
        this.rules = new HostRules("lvs4j_" + instance, "lvs4jl" + instance);
        this.localName = "lvs4jl" + instance;
        this.configured = interfaces == null || interfaces.isBlank() ? List.of()
                : List.of(interfaces.trim().split("\\s*,\\s*"));
        privilegeProblem = checkPrivileges();
        if (privilegeProblem == null) {
            try {
                rules.remove(); // what a crashed run of this director left
            } catch (IOException e) {
                LOG.warn("packet engine: {}", e.getMessage());
            }
        } else {
            LOG.info("packet engine: {}", privilegeProblem);
        }
        director.addChangeListener(onChange);
        housekeeping.scheduleWithFixedDelay(this::refresh, 0, 250, TimeUnit.MILLISECONDS);
    }

    private static String checkPrivileges() {
        try {
            PacketSocket.open(0, false).close();
            return null;
        } catch (IOException | RuntimeException | LinkageError e) {
            return "the packet modes (-g, -i, -m) need root, or CAP_NET_RAW and CAP_NET_ADMIN: " + e.getMessage();
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addTransform(PacketTransform t, Map<String, Object> properties) {
        ForwardMethod m = ForwardMethod.byId(String.valueOf(properties.get(PacketTransform.METHOD)));
        if (m == null || m.engine() != org.lvs4j.api.Engine.PACKET) {
            LOG.error("packet transform {} has no valid {} property and is ignored", t, PacketTransform.METHOD);
            return;
        }
        transforms.set(m.ordinal(), t);
    }

    void removeTransform(PacketTransform t) {
        for (int i = 0; i < transforms.length(); i++) {
            transforms.compareAndSet(i, t, null);
        }
    }

    @Override
    public void bind(ServiceConfig service) throws Exception {
        String problem = privilegeProblem;
        if (problem != null) {
            throw new IOException(problem);
        }
        refreshSoon();
    }

    @Override
    public void unbind(ServiceKey service) {
        refreshSoon();
    }

    private void refreshSoon() {
        try {
            housekeeping.execute(this::refresh);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // deactivated
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        director.removeChangeListener(onChange);
        housekeeping.shutdownNow();
        housekeeping.awaitTermination(10, TimeUnit.SECONDS);
        for (Intake i : intakes.values()) {
            i.close();
        }
        intakes.clear();
        setup = Setup.EMPTY;
        if (local != null) {
            local.close();
            local = null;
        }
        if (privilegeProblem == null) {
            try {
                rules.remove();
            } catch (IOException e) {
                LOG.warn("packet engine: {}", e.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Brings links, filter, host rules and the packet threads' view up to date with the table and the kernel. */
    private void refresh() {
        if (privilegeProblem != null) {
            return;
        }
        try {
            Plan plan = new Plan(director.services());
            if (plan.services.isEmpty() && intakes.isEmpty() && installed.isEmpty()) {
                setup = Setup.EMPTY; // no packet service: nothing to read from the kernel four times a second
                return;
            }
            Net net = Net.read();
            Set<String> names = new LinkedHashSet<>();
            if (!plan.services.isEmpty()) {
                if (!configured.isEmpty()) {
                    names.addAll(configured);
                } else {
                    for (int vip : plan.vips) {
                        Net.Interface i = receiving(net, vip);
                        if (i != null && !i.loopback()) {
                            names.add(i.name());
                        }
                    }
                    for (int rs : plan.natServers) {
                        Net.Route r = net.route(rs);
                        Net.Interface i = r == null ? null : net.byName(r.device());
                        if (i != null && !i.loopback()) {
                            names.add(i.name());
                        }
                    }
                }
            }
            attach(names, net);
            List<Integer> filter = new ArrayList<>(plan.vips);
            filter.add(-1); // separator: destinations before, sources after
            filter.addAll(plan.natServers);
            for (Intake i : intakes.values()) {
                if (!filter.equals(i.filter)) {
                    i.link.socket.filter(Bpf.program(plan.vips, plan.natServers));
                    i.filter = filter;
                }
            }
            // Only traffic this engine receives is kept from the kernel: a VIP on lo, or held on an interface the
            // engine does not read, stays the kernel's. A VIP held nowhere yet (a backup director's, before a
            // takeover) is kept from it already: when the HA module adds the VIP and announces it, the kernel must
            // not answer the first segments of established streams with resets in the instant before the next
            // refresh. Such traffic reaches this host only once the VIP is here, so nothing is blackholed.
            Set<Integer> active = new LinkedHashSet<>();
            for (int vip : plan.vips) {
                Net.Interface i = receiving(net, vip);
                if (!intakes.isEmpty() && (!configured.isEmpty() || (i != null && intakes.containsKey(i.name())))) {
                    active.add(vip);
                }
            }
            List<HostRules.Rule> wanted = plan.rules.stream()
                    .filter(r -> r.toService() ? active.contains(r.address()) : !active.isEmpty()).toList();
            if (!wanted.equals(installed)) {
                rules.apply(wanted);
                installed = wanted;
            }
            if (plan.hasLocal && local == null) {
                // kept until the engine stops: closing it under a packet thread's feet would need a handshake
                local = Tun.open(localName);
                LOG.info("packet engine: Local real servers are served through {}", localName);
            }
            setup = new Setup(plan, net, intakes.values().stream().map(i -> i.link).toArray(Link[]::new), local);
            resolve(net);
            if (++rounds % ARP_EVERY == 0) {
                revalidate(setup);
            }
            lastProblem = "";
        } catch (IOException | RuntimeException e) {
            String problem = e.getMessage() == null ? e.toString() : e.getMessage();
            if (!problem.equals(lastProblem)) {
                LOG.error("packet engine: {}", problem, e);
            }
            lastProblem = problem;
        }
    }

    /** The interface a VIP's traffic comes in on: the one holding it, or, held nowhere, the one routing to it. */
    private static Net.Interface receiving(Net net, int vip) {
        Net.Interface held = net.holding(vip);
        if (held != null) {
            return held;
        }
        Net.Route r = net.route(vip);
        return r == null ? null : net.byName(r.device());
    }

    private void attach(Set<String> wanted, Net net) throws IOException {
        for (var it = intakes.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Net.Interface now = net.byName(e.getKey());
            Link l = e.getValue().link;
            if (!wanted.contains(e.getKey()) || now == null || now.index() != l.index || now.mac() != l.mac
                    || now.mtu() != l.mtu || now.primary() != l.address) {
                e.getValue().close();
                it.remove();
                LOG.info("packet engine: detached from {}", e.getKey());
            }
        }
        for (String name : wanted) {
            if (intakes.containsKey(name)) {
                continue;
            }
            Net.Interface i = net.byName(name);
            if (i == null) {
                continue; // not there (yet)
            }
            PacketSocket socket = PacketSocket.open(i.index(), true);
            Link link = new Link(name, i.index(), i.mac(), i.mtu(), i.primary(), socket);
            intakes.put(name, new Intake(link));
            LOG.info("packet engine: receiving on {} ({}, MTU {})", name, Net.macText(i.mac()), i.mtu());
        }
    }

    /** Sends a datagram to each next hop the packet threads found no MAC for, so the kernel resolves it. */
    private void resolve(Net net) {
        if (unresolved.isEmpty()) {
            return;
        }
        try (DatagramSocket s = new DatagramSocket()) {
            for (Integer a : unresolved) {
                unresolved.remove(a);
                try {
                    s.send(new DatagramPacket(new byte[0], 0, address(a), 9));
                } catch (IOException e) {
                    LOG.debug("cannot poke {}: {}", Addresses.dotted(a), e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.debug("no socket to resolve next hops: {}", e.getMessage());
        }
    }

    /**
     * Asks every resolved next hop for its MAC again with an ARP request of our own. The kernel's entry for a real
     * server is never used by the kernel itself (the engine sends the frames), so it would keep a stale MAC forever
     * when the server is replaced or its NIC changes; the answer to this request updates it, and the next refresh
     * reads it.
     */
    private void revalidate(Setup s) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment frame = a.allocate(42);
            Set<Long> asked = new java.util.HashSet<>();
            for (int server : s.plan.servers) {
                Link link = s.serverLink(server);
                int target = s.serverGateway(server);
                if (link == null || link.socket.closed() || !asked.add(Net.key(link.index, target))) {
                    continue;
                }
                Net.Interface i = s.net.byName(link.name);
                Net.Route r = s.net.route(target);
                int sender = link.address;
                for (int mine : i == null ? List.<Integer>of() : i.addresses()) {
                    if (r != null && (mine & r.mask()) == (target & r.mask())) {
                        sender = mine; // an address of the target's subnet, as the kernel would choose
                        break;
                    }
                }
                arpRequest(frame, link.mac, sender, target);
                if (Libc.send(link.socket.fd, frame, 42, 0) < 0) {
                    LOG.debug("ARP request for {} on {}: {}", Addresses.dotted(target), link.name,
                            Libc.strerror(Libc.errno()));
                }
            }
        }
    }

    /** An Ethernet broadcast ARP request (RFC 826) from {@code mac}/{@code sender} for {@code target}. */
    static void arpRequest(MemorySegment f, long mac, int sender, int target) {
        var be16 = java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
        var be32 = java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
        f.set(be16, 0, (short) -1);
        f.set(be32, 2, -1);
        f.set(be16, 6, (short) (mac >>> 32));
        f.set(be32, 8, (int) mac);
        f.set(be16, 12, (short) 0x0806);
        f.set(be16, 14, (short) 1);          // Ethernet
        f.set(be16, 16, (short) 0x0800);     // IPv4
        f.set(be16, 18, (short) 0x0604);     // address lengths
        f.set(be16, 20, (short) 1);          // request
        f.set(be16, 22, (short) (mac >>> 32));
        f.set(be32, 24, (int) mac);
        f.set(be32, 28, sender);
        f.set(be16, 32, (short) 0);
        f.set(be32, 34, 0);
        f.set(be32, 38, target);
    }

    private static InetAddress address(int v4) throws IOException {
        return InetAddress.getByAddress(new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8),
            (byte) v4});
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reporting

    /** Counters summed over every packet thread, past ones included. */
    long[] counters() {
        long[] sum = retired.clone();
        for (Intake i : List.copyOf(intakes.values())) {
            for (int c = 0; c < sum.length; c++) {
                sum[c] += i.dispatcher.counts[c];
            }
        }
        return sum;
    }

    /** Gogo {@code lvs:packet}: links, VIPs, host rules, and what happened to every frame received. */
    public String packet() {
        return report();
    }

    String report() {
        StringBuilder b = new StringBuilder();
        if (privilegeProblem != null) {
            b.append("packet engine inactive: ").append(privilegeProblem).append('\n');
        }
        Setup s = setup;
        b.append("links:");
        if (s.links.length == 0) {
            b.append(" none");
        }
        for (Link l : s.links) {
            b.append(' ').append(l.name).append(" (").append(Net.macText(l.mac)).append(", MTU ").append(l.mtu)
                    .append(')');
        }
        b.append('\n');
        for (int vip : s.plan.vips) {
            Net.Interface i = s.net.holding(vip);
            b.append("VIP ").append(Addresses.dotted(vip)).append(": ")
                    .append(i == null ? "not held by this host (waiting)" : "on " + i.name()).append('\n');
        }
        b.append("host rules: nft table ip ").append(rules.table()).append(rules.present() ? "" : " (none)")
                .append('\n');
        if (s.local != null) {
            b.append("Local real servers: through ").append(s.local.name).append('\n');
        }
        long[] c = counters();
        long malformed = 0;
        for (Counter k : Counter.ALL) {
            b.append(String.format("%12d  %s%n", c[k.ordinal()], k.text));
            if (k.malformed) {
                malformed += c[k.ordinal()];
            }
        }
        b.append(String.format("%12d  malformed in all%n", malformed));
        long drops = 0;
        for (Intake i : List.copyOf(intakes.values())) {
            drops += i.kernelDrops;
        }
        b.append(String.format("%12d  dropped by the kernel (receive buffer full)%n", drops));
        long batches = 0;
        for (Intake i : List.copyOf(intakes.values())) {
            batches += i.batches;
        }
        if (batches > 0) {
            b.append(String.format("%12.1f  frames per receive call (now attached links)%n",
                    (double) c[Counter.RECEIVED.ordinal()] / batches));
        }
        return b.toString();
    }

    // ---------------------------------------------------------------------------------------------------------

    /** One attached interface: its socket and the thread that receives, dispatches and sends in batches. */
    private final class Intake implements Dispatcher.Sender {
        final Link link;
        final Dispatcher dispatcher;
        List<Integer> filter;
        volatile long kernelDrops;
        /** Receive calls that returned frames: frames per call shows how well the batching works. */
        long batches;
        private final Arena arena = Arena.ofShared();
        private final PacketSocket.Inbox inbox = new PacketSocket.Inbox(arena);
        private Link[] outLinks = new Link[0];
        private PacketSocket.Outbox[] outboxes = new PacketSocket.Outbox[0];
        private final Thread thread;
        private volatile boolean running = true;

        Intake(Link link) {
            this.link = link;
            this.dispatcher = new Dispatcher(path, transforms, this, unresolved::add);
            this.thread = Thread.ofPlatform().daemon().name("lvs4j-packet-" + link.name).start(this::run);
        }

        private void run() {
            long lastStats = System.nanoTime();
            while (running) {
                int n = inbox.receive(link.socket);
                if (n < 0) {
                    if (!running || link.socket.closed()) {
                        return;
                    }
                    LOG.error("packet engine: receive on {} failed: {}", link.name, Libc.strerror(-n));
                    continue;
                }
                Setup s = setup;
                if (n > 0) {
                    batches++;
                }
                for (int i = 0; i < n; i++) {
                    try {
                        dispatcher.handle(s, link, inbox.slots, PacketSocket.Inbox.frameOffset(i), inbox.length(i),
                                inbox.auxStatus(i), inbox.truncated(i));
                    } catch (RuntimeException e) {
                        LOG.error("packet engine: frame dropped after an error", e);
                    }
                }
                for (int i = 0; i < outLinks.length; i++) {
                    if (outLinks[i].socket.closed()) {
                        outLinks = new Link[0]; // a detached link: rebuilt on the next send
                        outboxes = new PacketSocket.Outbox[0];
                        break;
                    }
                    if (!outboxes[i].isEmpty()) {
                        outboxes[i].flush(outLinks[i].socket);
                    }
                }
                long now = System.nanoTime();
                if (now - lastStats > 1_000_000_000L) {
                    kernelDrops += link.socket.kernelDrops();
                    lastStats = now;
                }
            }
        }

        @Override
        public void send(Link out, java.lang.foreign.MemorySegment buffer, int offset, int length) {
            int i = 0;
            while (i < outLinks.length && outLinks[i] != out) {
                i++;
            }
            if (i == outLinks.length) {
                outLinks = java.util.Arrays.copyOf(outLinks, i + 1);
                outboxes = java.util.Arrays.copyOf(outboxes, i + 1);
                outLinks[i] = out;
                outboxes[i] = new PacketSocket.Outbox(arena);
            }
            PacketSocket.Outbox box = outboxes[i];
            if (box.full()) {
                box.flush(out.socket);
            }
            box.add(buffer.address() + offset, length);
        }

        void close() {
            running = false;
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            link.socket.close();
            for (int c = 0; c < retired.length; c++) {
                retired[c] += dispatcher.counts[c];
            }
            if (!thread.isAlive()) {
                arena.close();
            }
        }
    }
}
