package org.lvs4j.director.internal;

import org.lvs4j.api.ConnectionState;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

import org.lvs4j.api.AdminState;
import org.lvs4j.api.BatchException;
import org.lvs4j.api.ConnectionEntry;
import org.lvs4j.api.Engine;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.RealServerConfig;
import org.lvs4j.api.RealServerStatus;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.ServiceStatus;
import org.lvs4j.api.TableChange;
import org.lvs4j.api.TableException;
import org.lvs4j.api.TableException.Reason;
import org.lvs4j.api.Timeouts;
import org.lvs4j.api.TunnelConfig;
import org.lvs4j.api.forward.Admission;
import org.lvs4j.api.forward.DataPath;
import org.lvs4j.api.forward.Entry;
import org.lvs4j.api.forward.ServiceBinder;
import org.lvs4j.api.scheduler.Change;
import org.lvs4j.api.scheduler.Flow;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.api.scheduler.SchedulerInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The director's table, free of OSGi: virtual services and real servers edited with ipvsadm's rules, the scheduler
 * and forwarder registries, and the connection table with persistence.
 *
 * <p>Edits are serialised by one lock and validated before anything changes: a change (or a whole batch) is first
 * checked against a copy-on-touch {@link Model} of the configuration, and applied only when every check passed, so a
 * refused edit leaves the table as it was. The data path ({@link #findService}, {@link #schedule}) takes no lock; it
 * reads volatile fields that hold immutable values.
 */
public final class Table implements DataPath {

    private static final Logger LOG = LoggerFactory.getLogger(Table.class);
    /** A new TCP entry starts in NONE with 3 seconds until its first segment sets a state (ip_vs_conn_new). */
    private static final int NEW_ENTRY_TIMEOUT = 3;

    private final Clock clock;
    private final Sysctls sysctls = new Sysctls();
    private final Predicate<InetAddress> isLocal;
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentHashMap<ServiceKey, VirtualService> services = new ConcurrentHashMap<>();
    /** Registered schedulers by name, best first; guarded by {@link #lock}. */
    private final Map<String, List<Registered>> schedulers = new HashMap<>();
    /** Forwarding methods with a registered forwarder, and how many forwarders each has. */
    private final ConcurrentHashMap<ForwardMethod, Integer> forwarders = new ConcurrentHashMap<>();
    /** Engines' binders; guarded by {@link #lock}. */
    private final Map<Engine, ServiceBinder> binders = new java.util.EnumMap<>(Engine.class);
    private final int[] stateTimeouts = new int[ConnectionState.values().length];
    private final ConnTable connections;
    private final Sync sync = new Sync(this);
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    private record Registered(Scheduler scheduler, int ranking, long order) {
    }

    public Table(Clock clock, Predicate<InetAddress> isLocal) {
        this.clock = clock;
        this.isLocal = isLocal;
        for (ConnectionState s : ConnectionState.values()) {
            stateTimeouts[s.ordinal()] = s.defaultTimeout();
        }
        this.connections = new ConnTable(this, clock, s -> stateTimeouts[s.ordinal()]);
    }

    public Clock clock() {
        return clock;
    }

    public Sysctls sysctls() {
        return sysctls;
    }

    /** Connection sync: what the director reports to a peer and enters from one. */
    public Sync sync() {
        return sync;
    }

    ConnTable connTable() {
        return connections;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Edits

    public void apply(TableChange change) throws TableException {
        try {
            apply(List.of(change));
        } catch (BatchException e) {
            throw (TableException) e.getCause();
        }
    }

    public void apply(List<? extends TableChange> changes) throws BatchException {
        if (changes.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            Model model = new Model();
            for (int i = 0; i < changes.size(); i++) {
                try {
                    model.index = i;
                    check(changes.get(i), model);
                } catch (TableException e) {
                    throw new BatchException(i, e);
                }
            }
            List<EngineMove> moves = engineMoves(model);
            bindAll(moves);
            for (TableChange c : changes) {
                applyChecked(c);
            }
            for (EngineMove m : moves) {
                ServiceBinder b = m.from == null ? null : binders.get(m.from);
                if (b != null) {
                    unbind(b, m.key);
                }
            }
        } finally {
            lock.unlock();
        }
        changed(changes.get(0));
    }

    /** A service whose engine changes with a batch; the change at {@code index} made it so. */
    private record EngineMove(ServiceKey key, Engine from, Engine to, ServiceConfig config, int index) {
    }

    private List<EngineMove> engineMoves(Model m) {
        List<EngineMove> moves = new ArrayList<>();
        java.util.Set<ServiceKey> keys = new java.util.LinkedHashSet<>(m.touched.keySet());
        if (m.flushed) {
            keys.addAll(services.keySet());
        }
        for (ServiceKey k : keys) {
            VirtualService live = services.get(k);
            Engine from = live == null ? null : engine(live.destinations.stream().map(d -> d.config).toList());
            ModelService ms = m.touched.containsKey(k) ? m.touched.get(k) : null;
            Engine to = ms == null ? null : engine(ms.dests.values());
            if (from != to) {
                moves.add(new EngineMove(k, from, to, ms == null ? null : ms.config, ms == null ? 0 : ms.engineIndex));
            }
        }
        return moves;
    }

    private static Engine engine(java.util.Collection<RealServerConfig> dests) {
        return dests.isEmpty() ? null : dests.iterator().next().method().engine();
    }

    /** Binds every service that gets an engine; on the first failure undoes the binds and refuses the batch. */
    private void bindAll(List<EngineMove> moves) throws BatchException {
        List<EngineMove> bound = new ArrayList<>();
        for (EngineMove m : moves) {
            ServiceBinder b = m.to == null ? null : binders.get(m.to);
            if (b == null) {
                continue;
            }
            try {
                b.bind(m.config);
                bound.add(m);
            } catch (Exception e) {
                for (EngineMove done : bound) {
                    unbind(binders.get(done.to), done.key);
                }
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                throw new BatchException(m.index, new TableException(Reason.ENGINE_FAILED,
                        "lvs4j: cannot bind " + m.key + ": " + why, e));
            }
        }
    }

    private static void unbind(ServiceBinder b, ServiceKey key) {
        try {
            b.unbind(key);
        } catch (RuntimeException e) {
            LOG.warn("unbinding {} failed", key, e);
        }
    }

    private void changed(TableChange change) {
        if (change instanceof TableChange.Zero) {
            return;
        }
        for (Runnable r : listeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("table change listener failed", e);
            }
        }
    }

    public void addChangeListener(Runnable r) {
        listeners.add(r);
    }

    public void removeChangeListener(Runnable r) {
        listeners.remove(r);
    }

    /** The configuration as the checks see it: the live table, with the services a batch touched copied aside. */
    private final class Model {
        private final Map<ServiceKey, ModelService> touched = new java.util.LinkedHashMap<>(); // batch order: binds happen in it
        private boolean flushed;
        /** Position of the change being checked. */
        int index;

        ModelService get(ServiceKey key) {
            if (touched.containsKey(key)) {
                return touched.get(key);
            }
            if (flushed) {
                return null;
            }
            VirtualService v = services.get(key);
            if (v == null) {
                return null;
            }
            LinkedHashMap<VirtualService.Endpoint, RealServerConfig> dests = new LinkedHashMap<>();
            for (Destination d : v.destinations) {
                dests.put(new VirtualService.Endpoint(d.address, d.port), d.config);
            }
            ModelService m = new ModelService(v.config, dests);
            touched.put(key, m);
            return m;
        }

        void put(ModelService m) {
            touched.put(m.config.key(), m);
        }

        void remove(ServiceKey key) {
            touched.put(key, null);
        }

        void flush() {
            touched.clear();
            flushed = true;
        }
    }

    private static final class ModelService {
        ServiceConfig config;
        final LinkedHashMap<VirtualService.Endpoint, RealServerConfig> dests;
        /** The change that last gave this service an engine (for naming it when the bind fails). */
        int engineIndex;

        ModelService(ServiceConfig config, LinkedHashMap<VirtualService.Endpoint, RealServerConfig> dests) {
            this.config = config;
            this.dests = dests;
        }
    }

    /** Checks one change against the model and records its effect there; throws if IPVS would refuse it. */
    private void check(TableChange change, Model m) throws TableException {
        switch (change) {
            case TableChange.AddService c -> {
                if (m.get(c.config().key()) != null) {
                    throw new TableException(Reason.SERVICE_EXISTS, "Service already exists");
                }
                checkService(c.config(), c.allowMissingScheduler());
                m.put(new ModelService(c.config(), new LinkedHashMap<>()));
            }
            case TableChange.EditService c -> {
                ModelService s = service(m, c.config().key());
                checkService(c.config(), c.allowMissingScheduler());
                s.config = c.config();
            }
            case TableChange.DeleteService c -> {
                service(m, c.key());
                m.remove(c.key());
            }
            case TableChange.Flush c -> m.flush();
            case TableChange.AddRealServer c -> {
                ModelService s = service(m, c.service());
                VirtualService.Endpoint ep = endpoint(c.config());
                if (s.dests.containsKey(ep)) {
                    throw new TableException(Reason.DESTINATION_EXISTS, "Destination already exists");
                }
                checkRealServer(s, c.config(), null);
                if (s.dests.isEmpty()) {
                    s.engineIndex = m.index;
                }
                s.dests.put(ep, c.config());
            }
            case TableChange.EditRealServer c -> {
                ModelService s = service(m, c.service());
                VirtualService.Endpoint ep = endpoint(c.config());
                if (!s.dests.containsKey(ep)) {
                    throw new TableException(Reason.NO_SUCH_DESTINATION, "No such destination");
                }
                checkRealServer(s, c.config(), ep);
                if (s.dests.get(ep).method().engine() != c.config().method().engine()) {
                    s.engineIndex = m.index;
                }
                s.dests.put(ep, c.config());
            }
            case TableChange.DeleteRealServer c -> {
                ModelService s = service(m, c.service());
                if (s.dests.remove(new VirtualService.Endpoint(c.address(), c.port())) == null) {
                    throw new TableException(Reason.NO_SUCH_DESTINATION, "No such destination");
                }
            }
            case TableChange.SetAdminState c -> {
                ModelService s = service(m, c.service());
                if (!s.dests.containsKey(new VirtualService.Endpoint(c.address(), c.port()))) {
                    throw new TableException(Reason.NO_SUCH_DESTINATION, "No such destination");
                }
            }
            case TableChange.Zero c -> {
                if (c.service() != null) {
                    service(m, c.service());
                }
            }
            case TableChange.SetTimeouts c -> {
                Timeouts t = c.timeouts();
                int max = Integer.MAX_VALUE / 1000;
                if (t.tcp() > max || t.tcpFin() > max || t.udp() > max) {
                    throw new TableException(Reason.INVALID, "timeout too large");
                }
            }
        }
    }

    private static ModelService service(Model m, ServiceKey key) throws TableException {
        ModelService s = m.get(key);
        if (s == null) {
            throw new TableException(Reason.NO_SUCH_SERVICE, "No such service");
        }
        return s;
    }

    private static VirtualService.Endpoint endpoint(RealServerConfig c) {
        return new VirtualService.Endpoint(c.address(), c.port());
    }

    private void checkService(ServiceConfig c, boolean allowMissingScheduler) throws TableException {
        if (c.persistenceEngine() != null) {
            throw new TableException(Reason.SCHEDULER_NOT_FOUND,
                    "persistence engine " + c.persistenceEngine() + " not found");
        }
        if (!allowMissingScheduler && !schedulers.containsKey(c.scheduler())) {
            throw new TableException(Reason.SCHEDULER_NOT_FOUND, "scheduler " + c.scheduler() + " not found");
        }
    }

    /** The kernel's checks on a destination plus lvs4j's engine rules (DESIGN.md §7). */
    private void checkRealServer(ModelService s, RealServerConfig rs, VirtualService.Endpoint replacing)
            throws TableException {
        ServiceKey key = s.config.key();
        if (rs.lowerThreshold() > rs.upperThreshold()) {
            throw new TableException(Reason.OUT_OF_RANGE, "lower threshold is higher than upper threshold");
        }
        InetAddress a = rs.address();
        if (a.isAnyLocalAddress() || a.isMulticastAddress()
                || (a instanceof Inet4Address && org.lvs4j.api.Addresses.ipv4(a) == 0xffffffff)) {
            throw new TableException(Reason.INVALID, "real server address is not unicast");
        }
        if ((a instanceof Inet6Address) != key.isIpv6() && rs.method() != ForwardMethod.TUNNEL) {
            throw new TableException(Reason.INVALID,
                    "Different address family is allowed only for tunneling servers");
        }
        TunnelConfig t = rs.tunnel();
        if (t != null && t.type() == TunnelConfig.Type.GUE && t.port() == 0) {
            throw new TableException(Reason.INVALID, "GUE tunnels need --tun-port");
        }
        Engine engine = rs.method().engine();
        if (engine == Engine.PACKET && key.isIpv6()) {
            throw new TableException(Reason.UNSUPPORTED, "lvs4j: the packet modes (-g, -i, -m) are IPv4-only for now;"
                    + " IPv6 service " + key + " can use the socket engine (-b)");
        }
        if (engine == Engine.SOCKET && key.port() == 0) {
            throw new TableException(Reason.UNSUPPORTED, "lvs4j: port-0 service " + key
                    + " cannot run on the socket engine (-b); use -g, -i or -m");
        }
        for (var e : s.dests.entrySet()) {
            if (e.getKey().equals(replacing)) {
                continue;
            }
            ForwardMethod other = e.getValue().method();
            if (other.engine() != engine) {
                throw new TableException(Reason.ENGINE_CONFLICT, "lvs4j: real server " + rs.endpoint() + " ("
                        + rs.method().flag() + ") needs the " + engine.name().toLowerCase() + " engine, but service "
                        + key + " runs on the " + other.engine().name().toLowerCase() + " engine ("
                        + other.flag() + " real server " + e.getValue().endpoint() + ")");
            }
        }
    }

    /** Applies a change that passed {@link #check}; cannot fail. Called with the lock held. */
    private void applyChecked(TableChange change) {
        switch (change) {
            case TableChange.AddService c -> {
                VirtualService svc = new VirtualService(this, c.config());
                services.put(svc.key, svc);
                bindScheduler(svc);
            }
            case TableChange.EditService c -> {
                VirtualService svc = services.get(c.config().key());
                String old = svc.config.scheduler();
                svc.config = c.config();
                if (!old.equals(c.config().scheduler())) {
                    unbindScheduler(svc);
                    bindScheduler(svc);
                }
            }
            case TableChange.DeleteService c -> retire(services.remove(c.key()));
            case TableChange.Flush c -> {
                for (ServiceKey k : new ArrayList<>(services.keySet())) {
                    retire(services.remove(k));
                }
            }
            case TableChange.AddRealServer c -> addDestination(services.get(c.service()), c.config());
            case TableChange.EditRealServer c -> {
                VirtualService svc = services.get(c.service());
                Destination d = svc.find(c.config().address(), c.config().port());
                d.configure(c.config(), false);
                d.local = isLocal.test(d.address);
                notifyScheduler(svc, new Change(Change.Kind.EDIT, d));
            }
            case TableChange.DeleteRealServer c -> {
                VirtualService svc = services.get(c.service());
                Destination d = svc.find(c.address(), c.port());
                List<Destination> next = new ArrayList<>(svc.destinations);
                next.remove(d);
                svc.destinations = List.copyOf(next);
                d.available = false;
                if (d.references.get() > 0) {
                    svc.trash.put(new VirtualService.Endpoint(d.address, d.port), d);
                }
                notifyScheduler(svc, new Change(Change.Kind.REMOVE, d));
                if (d.references.get() > 0 && sysctls.get(Sysctls.Knob.EXPIRE_NODEST_CONN) != 0) {
                    // IPVS expires such a connection at its next packet; an engine that holds sockets (full-NAT)
                    // sees no packets here, so its connections end now, as the next packet would have ended them.
                    for (Connection conn : connections.snapshot()) {
                        if (conn.destination == d && !conn.template) {
                            connections.expireNow(conn);
                        }
                    }
                }
            }
            case TableChange.SetAdminState c -> {
                VirtualService svc = services.get(c.service());
                Destination d = svc.find(c.address(), c.port());
                d.adminState = c.state();
                notifyScheduler(svc, new Change(Change.Kind.EDIT, d));
            }
            case TableChange.Zero c -> {
                if (c.service() == null) {
                    services.values().forEach(Table::zero);
                } else {
                    zero(services.get(c.service()));
                }
            }
            case TableChange.SetTimeouts c -> {
                Timeouts t = c.timeouts().over(timeouts());
                stateTimeouts[ConnectionState.ESTABLISHED.ordinal()] = t.tcp();
                stateTimeouts[ConnectionState.FIN_WAIT.ordinal()] = t.tcpFin();
                stateTimeouts[ConnectionState.UDP.ordinal()] = t.udp();
            }
        }
    }

    private void addDestination(VirtualService svc, RealServerConfig rs) {
        VirtualService.Endpoint ep = endpoint(rs);
        // A deleted server that still has connections comes back with its counters (ip_vs_trash_get_dest).
        Destination d = svc.trash.remove(ep);
        if (d == null) {
            d = new Destination(svc, rs);
        } else {
            d.adminState = AdminState.READY;
        }
        d.configure(rs, true);
        d.local = isLocal.test(d.address);
        List<Destination> next = new ArrayList<>(svc.destinations.size() + 1);
        next.add(d);
        next.addAll(svc.destinations);
        svc.destinations = List.copyOf(next);
        notifyScheduler(svc, new Change(Change.Kind.ADD, d));
    }

    private static void zero(VirtualService svc) {
        svc.stats.zero();
        for (Destination d : svc.destinations) {
            d.stats.zero();
        }
    }

    private void retire(VirtualService svc) {
        svc.deleted = true;
        for (Destination d : svc.destinations) {
            d.available = false;
        }
        svc.destinations = List.of();
        unbindScheduler(svc);
        svc.schedulerReady.completeExceptionally(new CancellationException("service " + svc.key + " deleted"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Plug-in registries

    /**
     * A scheduler service appeared. When it becomes the best of its name, every service using that name gets a fresh
     * instance, and connections waiting for it go on.
     */
    public void addScheduler(String name, Scheduler scheduler, int ranking, long order) {
        lock.lock();
        try {
            List<Registered> list = schedulers.computeIfAbsent(name, n -> new ArrayList<>());
            Registered before = list.isEmpty() ? null : list.get(0);
            list.add(new Registered(scheduler, ranking, order));
            list.sort(Comparator.comparingInt((Registered r) -> -r.ranking).thenComparingLong(r -> r.order));
            if (before != null && list.get(0) != before) {
                LOG.warn("scheduler {}: a second implementation with higher ranking replaces the first", name);
            } else if (before != null) {
                LOG.warn("scheduler {}: a second implementation is registered and ignored", name);
            }
            if (before == null || list.get(0) != before) {
                rebindSchedulers(name);
            }
        } finally {
            lock.unlock();
        }
    }

    /** A scheduler service went away: services using it fall back to the next of its name, or wait for one. */
    public void removeScheduler(Scheduler scheduler) {
        lock.lock();
        try {
            for (var e : schedulers.entrySet()) {
                List<Registered> list = e.getValue();
                if (list.isEmpty()) {
                    continue;
                }
                boolean wasBest = list.get(0).scheduler == scheduler;
                if (list.removeIf(r -> r.scheduler == scheduler) && wasBest) {
                    String name = e.getKey();
                    if (list.isEmpty()) {
                        schedulers.remove(name);
                    }
                    rebindSchedulers(name);
                    break;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    public List<String> schedulerNames() {
        lock.lock();
        try {
            return schedulers.keySet().stream().sorted().toList();
        } finally {
            lock.unlock();
        }
    }

    private void rebindSchedulers(String name) {
        for (VirtualService svc : services.values()) {
            if (svc.config.scheduler().equals(name)) {
                unbindScheduler(svc);
                bindScheduler(svc);
            }
        }
    }

    private void bindScheduler(VirtualService svc) {
        List<Registered> list = schedulers.get(svc.config.scheduler());
        if (list == null || list.isEmpty()) {
            LOG.warn("service {}: no scheduler {}; new connections wait for one", svc.key, svc.config.scheduler());
            return;
        }
        Scheduler s = list.get(0).scheduler;
        try {
            SchedulerInstance inst = s.newInstance(svc);
            inst.update(svc.schedulerView(), Change.RESET);
            svc.scheduler = inst;
            svc.schedulerSource = s;
            svc.schedulerReady.complete(null);
        } catch (RuntimeException e) {
            LOG.error("service {}: scheduler {} failed to start; the service waits for another", svc.key,
                    svc.config.scheduler(), e);
        }
    }

    private void unbindScheduler(VirtualService svc) {
        SchedulerInstance old = svc.scheduler;
        svc.scheduler = null;
        svc.schedulerSource = null;
        if (svc.schedulerReady.isDone()) {
            svc.schedulerReady = new CompletableFuture<>();
        }
        if (old != null) {
            try {
                old.close();
            } catch (RuntimeException e) {
                LOG.warn("service {}: closing scheduler failed", svc.key, e);
            }
        }
    }

    private void notifyScheduler(VirtualService svc, Change change) {
        SchedulerInstance inst = svc.scheduler;
        if (inst == null) {
            return;
        }
        try {
            inst.update(svc.schedulerView(), change);
        } catch (RuntimeException e) {
            LOG.error("service {}: scheduler {} failed on {}", svc.key, svc.config.scheduler(), change.kind(), e);
        }
    }

    /**
     * An engine's binder appeared: it gets every service that already has real servers of its engine. Failures are
     * logged; those services stay listed and keep their configuration.
     */
    public void addBinder(Engine engine, ServiceBinder binder) {
        lock.lock();
        try {
            if (binders.putIfAbsent(engine, binder) != null) {
                LOG.warn("a second {} engine binder is ignored", engine);
                return;
            }
            for (VirtualService svc : services.values()) {
                if (engine(svc.destinations.stream().map(d -> d.config).toList()) == engine) {
                    try {
                        binder.bind(svc.config);
                    } catch (Exception e) {
                        LOG.error("service {}: {} engine cannot take it: {}", svc.key, engine, e.getMessage());
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    public void removeBinder(ServiceBinder binder) {
        lock.lock();
        try {
            binders.values().removeIf(b -> b == binder);
        } finally {
            lock.unlock();
        }
    }

    /** A forwarder for {@code method} registered. */
    public void addForwarder(ForwardMethod method) {
        forwarders.merge(method, 1, Integer::sum);
    }

    public void removeForwarder(ForwardMethod method) {
        forwarders.computeIfPresent(method, (m, n) -> n <= 1 ? null : n - 1);
    }

    public boolean hasForwarder(ForwardMethod method) {
        return forwarders.containsKey(method);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Data path

    /** The service for a packet or accepted connection: exact match first, then a port-0 service of the VIP. */
    public VirtualService findService(Protocol protocol, InetAddress vaddr, int vport) {
        VirtualService s = services.get(new ServiceKey(protocol, vaddr, vport));
        if (s == null && vport != 0) {
            s = services.get(new ServiceKey(protocol, vaddr, 0));
        }
        return s;
    }

    /** Why {@link #schedule} found no real server. */
    public enum Failure {
        /** No scheduler of the service's name is registered: hold the connection and wait for one. */
        NO_SCHEDULER,
        /** No real server is eligible ("no destination available"): refuse the connection. */
        NO_DESTINATION,
        /** The service was deleted. */
        SERVICE_GONE
    }

    /** The outcome of scheduling: a connection entry, or why there is none. */
    public record Scheduled(Connection connection, Failure failure) {
        static Scheduled of(Connection c) {
            return new Scheduled(c, null);
        }

        static Scheduled failed(Failure f) {
            return new Scheduled(null, f);
        }
    }

    /**
     * Chooses a real server for a new connection and enters it in the connection table (ip_vs_schedule and
     * ip_vs_sched_persist). The entry starts inactive: in NONE for TCP, in the UDP state for UDP.
     */
    public Scheduled schedule(VirtualService svc, Flow flow) {
        if (svc.deleted) {
            return Scheduled.failed(Failure.SERVICE_GONE);
        }
        ServiceConfig cfg = svc.config;
        boolean onePacket = cfg.onePacket() && flow.protocol() == Protocol.UDP;
        if (cfg.persistent()) {
            return schedulePersistent(svc, cfg, flow, onePacket);
        }
        if (flow.destinationPort() != cfg.key().port()) {
            LOG.error("Schedule: port zero only supported in persistent services, check your ipvs configuration");
            return Scheduled.failed(Failure.NO_DESTINATION);
        }
        SchedulerInstance inst = svc.scheduler;
        if (inst == null) {
            return Scheduled.failed(Failure.NO_SCHEDULER);
        }
        Destination dest = pick(svc, inst, flow);
        if (dest == null) {
            return Scheduled.failed(Failure.NO_DESTINATION);
        }
        int dport = dest.port != 0 ? dest.port : flow.destinationPort();
        Connection c = newEntry(flow, dest, dport, onePacket, null);
        svc.stats.connection();
        dest.stats.connection();
        return Scheduled.of(c);
    }

    private Scheduled schedulePersistent(VirtualService svc, ServiceConfig cfg, Flow flow, boolean onePacket) {
        int vport = flow.destinationPort() == cfg.key().port() ? flow.destinationPort() : 0;
        ConnKey tkey = new ConnKey(flow.protocol().number(), mask(flow.sourceAddress(), cfg), 0,
                flow.destinationAddress(), vport, true);
        Connection ct = connections.get(tkey);
        Destination dest;
        if (ct == null || !templateUsable(ct)) {
            SchedulerInstance inst = svc.scheduler;
            if (inst == null) {
                return Scheduled.failed(Failure.NO_SCHEDULER);
            }
            dest = pick(svc, inst, flow);
            if (dest == null) {
                return Scheduled.failed(Failure.NO_DESTINATION);
            }
            int tport = vport != 0 ? dest.port : 0;
            ct = connections.create(tkey, dest, tport, true, false, null, ConnectionState.NONE,
                    cfg.persistenceTimeout());
            // Another thread may have created the template first; then its choice stands.
            dest = ct.destination;
        } else {
            dest = ct.destination;
        }
        int dport = flow.destinationPort();
        if (dport == cfg.key().port() && dest.port != 0) {
            dport = dest.port;
        }
        Connection c = newEntry(flow, dest, dport, onePacket, ct);
        connections.refresh(ct);
        svc.stats.connection();
        dest.stats.connection();
        return Scheduled.of(c);
    }

    private Connection newEntry(Flow flow, Destination dest, int dport, boolean onePacket, Connection template) {
        ConnKey key = new ConnKey(flow.protocol().number(), flow.sourceAddress(), flow.sourcePort(),
                flow.destinationAddress(), flow.destinationPort(), false);
        boolean udp = flow.protocol() == Protocol.UDP;
        return connections.create(key, dest, dport, false, onePacket, template,
                udp ? ConnectionState.UDP : ConnectionState.NONE, udp ? stateTimeouts[ConnectionState.UDP.ordinal()] : NEW_ENTRY_TIMEOUT);
    }

    /**
     * ip_vs_check_template: a template is honoured while its server is in the service, not in maintenance, and —
     * when expire_quiescent_template is set — not at weight 0. Otherwise it is taken out of lookups.
     */
    private boolean templateUsable(Connection ct) {
        Destination d = ct.destination;
        boolean usable = d.available && d.adminState != AdminState.MAINT
                && !(sysctls.get(Sysctls.Knob.EXPIRE_QUIESCENT_TEMPLATE) != 0 && d.weight() == 0);
        if (!usable) {
            connections.invalidate(ct);
        }
        return usable;
    }

    private static Destination pick(VirtualService svc, SchedulerInstance inst, Flow flow) {
        RealServer rs;
        try {
            rs = inst.pick(flow);
        } catch (RuntimeException e) {
            LOG.error("service {}: scheduler {} failed to pick", svc.key, svc.config.scheduler(), e);
            return null;
        }
        if (rs == null) {
            return null;
        }
        if (!(rs instanceof Destination d) || d.service != svc || !d.available) {
            LOG.error("service {}: scheduler {} picked {}, which is not one of its real servers", svc.key,
                    svc.config.scheduler(), rs);
            return null;
        }
        return d;
    }

    private static InetAddress mask(InetAddress client, ServiceConfig cfg) {
        byte[] b = client.getAddress();
        if (b.length == 4) {
            int m = cfg.netmask();
            b[0] &= (byte) (m >>> 24);
            b[1] &= (byte) (m >>> 16);
            b[2] &= (byte) (m >>> 8);
            b[3] &= (byte) m;
        } else {
            int prefix = cfg.netmask();
            for (int i = 0; i < 16; i++) {
                int bits = Math.max(0, Math.min(8, prefix - 8 * i));
                b[i] &= (byte) (0xff << (8 - bits));
            }
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What to do with a new connection attempt (a SYN or an accept) from a client port already in the table. */
    public enum Reuse {
        /** No entry, or the old one was expired: schedule anew. */
        SCHEDULE,
        /** Keep using the existing entry and its real server. */
        EXISTING,
        /** The existing entry's real server is gone: drop (the client retries). */
        DROP
    }

    /**
     * Decides about a new connection from a client address and port that has an entry already (ip_vs_in): with
     * expire_nodest_conn a weight-0 or deleted server's entry is expired and the attempt rescheduled; with
     * conn_reuse_mode an entry in TIME_WAIT or CLOSE (bit 2: also FIN_WAIT without replies) that is not controlled by
     * a template is expired and the attempt rescheduled; a deleted server's entry otherwise drops the packet.
     */
    public Reuse reuse(Connection existing) {
        if (existing == null || existing.dead) {
            return Reuse.SCHEDULE;
        }
        boolean expireNodest = sysctls.get(Sysctls.Knob.EXPIRE_NODEST_CONN) != 0;
        int reuseMode = (int) sysctls.get(Sysctls.Knob.CONN_REUSE_MODE);
        boolean resched = false;
        if (expireNodest && existing.destination.weight() == 0) {
            resched = true;
        } else if (reuseMode != 0 && newConnectionExpected(existing, reuseMode)) {
            resched = true;
        }
        if (resched) {
            if (existing.controlled() == 0) {
                connections.expireNow(existing);
            }
            return Reuse.SCHEDULE;
        }
        if (!existing.destination.available) {
            if (expireNodest) {
                connections.expireNow(existing);
                return Reuse.SCHEDULE;
            }
            return Reuse.DROP;
        }
        return Reuse.EXISTING;
    }

    private static boolean newConnectionExpected(Connection c, int reuseMode) {
        if (c.control != null || c.transport() != Protocol.TCP) {
            return false;
        }
        ConnectionState s = c.state;
        return s == ConnectionState.TIME_WAIT || s == ConnectionState.CLOSE
                || ((reuseMode & 2) != 0 && s == ConnectionState.FIN_WAIT && c.noOutput);
    }

    @Override
    public Admission admit(Flow flow) {
        VirtualService svc = findService(flow.protocol(), flow.destinationAddress(), flow.destinationPort());
        if (svc == null || svc.deleted) {
            return Admission.refused(Admission.Refusal.NO_SERVICE);
        }
        Connection existing = connections.get(new ConnKey(flow.protocol().number(), flow.sourceAddress(),
                flow.sourcePort(), flow.destinationAddress(), flow.destinationPort(), false));
        switch (reuse(existing)) {
            case EXISTING -> {
                return Admission.of(existing);
            }
            case DROP -> {
                return Admission.refused(Admission.Refusal.DROP);
            }
            case SCHEDULE -> {
                // a new entry below
            }
        }
        return admission(schedule(svc, flow));
    }

    private static Admission admission(Scheduled s) {
        if (s.connection() != null) {
            return Admission.of(s.connection());
        }
        return Admission.refused(switch (s.failure()) {
            case NO_SCHEDULER -> Admission.Refusal.NO_SCHEDULER;
            case NO_DESTINATION -> Admission.Refusal.NO_DESTINATION;
            case SERVICE_GONE -> Admission.Refusal.NO_SERVICE;
        });
    }

    @Override
    public Admission redispatch(Entry failed, Flow flow, java.util.Collection<Entry> tried) {
        Connection f = (Connection) failed;
        java.util.Set<Destination> exclude = new java.util.HashSet<>();
        exclude.add(f.destination);
        for (Entry e : tried) {
            exclude.add(((Connection) e).destination);
        }
        if (f.control != null) {
            connections.invalidate(f.control); // the client's next connections follow the new choice
        }
        connections.expireNow(f);
        VirtualService svc = f.destination.service;
        // Each pick moves the scheduler on; one more pick than there are servers visits them all.
        for (int i = 0; i <= svc.destinations.size(); i++) {
            Scheduled s = schedule(svc, flow);
            if (s.connection() == null) {
                return admission(s);
            }
            Connection c = s.connection();
            if (!exclude.contains(c.destination)) {
                return Admission.of(c);
            }
            if (c.control != null) {
                connections.invalidate(c.control);
            }
            connections.expireNow(c);
        }
        return Admission.refused(Admission.Refusal.NO_DESTINATION);
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> schedulerReady(ServiceKey key) {
        VirtualService svc = services.get(key);
        if (svc == null) {
            return CompletableFuture.failedStage(new CancellationException("no service " + key));
        }
        return svc.schedulerReady.minimalCompletionStage();
    }

    @Override
    public long sysctl(String name) {
        return sysctls.get(name);
    }

    @Override
    public Entry find4(int protocol, int client, int clientPort, int vaddr, int vport) {
        Connection c = connections.get4(protocol, client, clientPort, vaddr, vport);
        return c == null || c.dead ? null : c;
    }

    @Override
    public Entry findReply4(int protocol, int server, int serverPort, int client, int clientPort) {
        Connection c = connections.reply4(protocol, server, serverPort, client, clientPort);
        return c == null || c.dead ? null : c;
    }

    /** Looks up a connection by its client and virtual endpoints. */
    public Connection lookup(Protocol protocol, InetAddress client, int clientPort, InetAddress vaddr, int vport) {
        return connections.get(new ConnKey(protocol.number(), client, clientPort, vaddr, vport, false));
    }

    /** Moves a connection to a new state, keeping ActiveConn/InActConn and its timeout as IPVS does. */
    public void setState(Connection c, ConnectionState state) {
        if (connections.setState(c, state)) {
            sync.changed(c);
        }
    }

    /** A TCP segment passed: the state follows IPVS's table, and the timer restarts. */
    public void tcpSegment(Connection c, TcpStates.Direction direction, int flags) {
        if (direction == TcpStates.Direction.OUTPUT) {
            c.noOutput = false;
        }
        if (connections.setState(c, TcpStates.next(c.state, direction, c.noOutput, flags))) {
            sync.changed(c);
        }
    }

    /** A packet or read of {@code bytes} from the client to the real server: counted and the timer restarted. */
    public void countIn(Connection c, long bytes) {
        Destination d = c.destination;
        if (d.available) {
            d.stats.in(bytes);
            d.service.stats.in(bytes);
        }
        connections.refresh(c);
        sync.packetIn(c);
    }

    /** A packet or write of {@code bytes} from the real server to the client. */
    public void countOut(Connection c, long bytes) {
        Destination d = c.destination;
        if (d.available) {
            d.stats.out(bytes);
            d.service.stats.out(bytes);
        }
        connections.refresh(c);
    }

    /** Ends an entry now (a one-packet datagram was sent, or the engine gave up on it). */
    public void expireNow(Connection c) {
        connections.expireNow(c);
    }

    /** Waits for the service's scheduler; completes at once when it is there, exceptionally if the service goes. */
    public CompletableFuture<Void> schedulerReady(VirtualService svc) {
        return svc.schedulerReady;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Housekeeping and snapshots

    /** Expires due connections and frees deleted real servers nothing refers to any more; call every second. */
    public void tick() {
        connections.tick();
        lock.lock();
        try {
            for (VirtualService svc : services.values()) {
                svc.trash.values().removeIf(d -> d.references.get() == 0);
            }
        } finally {
            lock.unlock();
        }
    }

    /** One rate-estimator step; call every 2 seconds. */
    public void estimate() {
        for (VirtualService svc : services.values()) {
            svc.stats.estimate();
            for (Destination d : svc.destinations) {
                d.stats.estimate();
            }
        }
    }

    public Timeouts timeouts() {
        return new Timeouts(stateTimeouts[ConnectionState.ESTABLISHED.ordinal()],
                stateTimeouts[ConnectionState.FIN_WAIT.ordinal()], stateTimeouts[ConnectionState.UDP.ordinal()]);
    }

    public List<ServiceStatus> services() {
        return services.values().stream().sorted(Comparator.comparing(s -> s.key)).map(this::status).toList();
    }

    public Optional<ServiceStatus> service(ServiceKey key) {
        VirtualService svc = services.get(key);
        return svc == null ? Optional.empty() : Optional.of(status(svc));
    }

    /** The live service object, for engines. */
    public VirtualService virtualService(ServiceKey key) {
        return services.get(key);
    }

    private ServiceStatus status(VirtualService svc) {
        List<RealServerStatus> rs = new ArrayList<>();
        for (Destination d : svc.destinations) {
            rs.add(new RealServerStatus(d.config, d.adminState, d.local, !hasForwarder(d.config.method()),
                    d.overloaded, d.activeConns.get(), d.inactiveConns.get(), d.persistentConns.get(),
                    d.stats.totals(), d.stats.rates()));
        }
        return new ServiceStatus(svc.config, svc.scheduler == null, svc.stats.totals(), svc.stats.rates(), rs);
    }

    public List<ConnectionEntry> connections() {
        long now = clock.nanoTime();
        List<ConnectionEntry> out = new ArrayList<>();
        for (Connection c : connections.snapshot()) {
            long left = Math.max(0, TimeUnit.NANOSECONDS.toSeconds(c.expiresAt - now));
            out.add(new ConnectionEntry(c.transport(), c.client(), c.clientPort(), c.virtual(),
                    c.virtualPort(), c.destination.address, c.destinationPort,
                    c.template ? "NONE" : c.state.label(), left, c.template));
        }
        return out;
    }

    /** Number of entries in the connection table, templates included. */
    public int connectionCount() {
        return connections.size();
    }

    /** Closes every scheduler instance; the table is not used afterwards. */
    public void close() {
        lock.lock();
        try {
            for (VirtualService svc : services.values()) {
                unbindScheduler(svc);
            }
        } finally {
            lock.unlock();
        }
    }
}
