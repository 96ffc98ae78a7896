package org.lvs4j.health.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.lvs4j.api.BatchException;
import org.lvs4j.api.Director;
import org.lvs4j.api.RealServerStatus;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.ServiceStatus;
import org.lvs4j.api.TableChange;
import org.lvs4j.api.TableException;
import org.lvs4j.api.health.CheckStatus;
import org.lvs4j.api.health.ConfigException;
import org.lvs4j.api.health.HealthCheck;
import org.lvs4j.api.health.HealthMonitor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The check monitor. All health state lives on one platform thread ("lvs4j-health"), which only schedules checks and
 * applies their results; the checks themselves run asynchronously in the check bundles, so thousands of servers
 * need no thread each. Public methods hand their work to that thread and wait for it.
 *
 * <p>The file in use is remembered in {@code STATE/ldirectord.path}, so its services are rebuilt from it after a
 * restart; {@code ./lvs4j run --config FILE} (framework property {@value #CONFIG}) sets it at start.
 */
@Component(immediate = true, service = HealthMonitor.class)
public class Monitor implements HealthMonitor, ServiceWatch.Host {

    public static final String CONFIG = "lvs4j.config";
    static final long AUTORELOAD_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Logger LOG = LoggerFactory.getLogger(Monitor.class);

    private final Director director;
    private final Map<String, HealthCheck> checks = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor thread;
    private final Path remembered;
    /** Watched services by key, in file order; monitor thread only. */
    private Map<ServiceKey, ServiceWatch> watches = new LinkedHashMap<>();
    private volatile LdirectordConfig config;
    private volatile Set<ServiceKey> owned = Set.of();
    private ScheduledFuture<?> autoreload;
    private String fileStamp;
    /** The last minute's check latencies (ns) and outcomes, at most the last 262,144; monitor thread only. */
    private final long[] latencies = new long[1 << 18];
    private final long[] finishedAt = new long[1 << 18];
    private final boolean[] passed = new boolean[1 << 18];
    private int recorded;

    /**
     * Activated once the saved table is restored (the TableStore reference), so the file's services are laid over
     * the restored table, not restored over.
     */
    @Activate
    public Monitor(BundleContext context, @Reference Director director,
                   @Reference org.lvs4j.ipvsadm.TableStore restored) {
        this.director = director;
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "lvs4j-health");
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
        String state = context == null ? null : context.getProperty("lvs4j.state.dir");
        this.remembered = state == null ? null : Path.of(state, "ldirectord.path");
        String file = context == null ? null : context.getProperty(CONFIG);
        if ((file == null || file.isBlank()) && remembered != null && Files.isRegularFile(remembered)) {
            try {
                file = Files.readString(remembered).strip();
            } catch (IOException e) {
                LOG.warn("cannot read {}", remembered, e);
            }
        }
        if (file != null && !file.isBlank()) {
            // After activation, not during it: applying the file notifies the rules store, which looks this
            // service up. Schedulers may still be starting, so their services wait for them, as restored ones do.
            Path p = Path.of(file);
            thread.execute(guarded(() -> {
                try {
                    LdirectordConfig c = LdirectordParser.read(p.toAbsolutePath());
                    reconcile(c, true);
                    remember(c.file());
                    LOG.info("ldirectord configuration {} loaded", p);
                } catch (ConfigException e) {
                    LOG.error("ldirectord configuration not loaded: {}", e.getMessage());
                } catch (ConfigWrapper e) {
                    LOG.error("ldirectord configuration not loaded: {}", e.cause.getMessage());
                }
            }));
        }
    }

    /** For tests: a monitor with no framework around it. */
    Monitor(Director director) {
        this(null, director, null);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addCheck(HealthCheck check, Map<String, Object> props) {
        for (String p : protocols(props)) {
            checks.put(p, check);
        }
    }

    void removeCheck(HealthCheck check, Map<String, Object> props) {
        for (String p : protocols(props)) {
            checks.remove(p, check);
        }
    }

    private static List<String> protocols(Map<String, Object> props) {
        Object v = props.get(HealthCheck.PROTOCOL);
        if (v instanceof String s) {
            return List.of(s);
        }
        if (v instanceof String[] a) {
            return List.of(a);
        }
        if (v instanceof java.util.Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        return List.of();
    }

    @Deactivate
    void deactivate() {
        // The table stays as it is: a restarted monitor takes its services over from it without a gap.
        call(() -> {
            watches.values().forEach(ServiceWatch::stop);
            if (autoreload != null) {
                autoreload.cancel(false);
            }
            return null;
        });
        thread.shutdownNow();
    }

    /** Registers a check directly (tests, and checks built into the monitor's users). */
    void register(String protocol, HealthCheck check) {
        checks.put(protocol, check);
    }

    // ---- ServiceWatch.Host --------------------------------------------------------------------------------------

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return thread.schedule(guarded(task), delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void execute(Runnable task) {
        if (!thread.isShutdown()) {
            thread.execute(guarded(task));
        }
    }

    /** Nothing a check or an edit throws may end the monitor's thread or its timers. */
    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.error("health monitor task failed", e);
            }
        };
    }

    @Override
    public HealthCheck check(String protocol) {
        return checks.get(protocol);
    }

    @Override
    public Optional<ServiceStatus> service(ServiceKey key) {
        return director.service(key);
    }

    @Override
    public void apply(List<TableChange> changes) throws TableException {
        director.apply(changes);
    }

    @Override
    public void runCommand(String command, String argument, ServiceKey service) {
        Thread.ofVirtual().name("lvs4j-fallbackcommand").start(() -> {
            try {
                Process p = new ProcessBuilder(command, argument).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    LOG.warn("{}: fallbackcommand {} {} killed after 30 s", service, command, argument);
                } else if (p.exitValue() != 0) {
                    LOG.warn("{}: fallbackcommand {} {} exited {}", service, command, argument, p.exitValue());
                }
            } catch (IOException e) {
                LOG.warn("{}: cannot run fallbackcommand {}: {}", service, command, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Override
    public void checked(long nanos, boolean up) {
        int i = recorded++ & (latencies.length - 1);
        latencies[i] = nanos;
        finishedAt[i] = System.nanoTime();
        passed[i] = up;
    }

    // ---- HealthMonitor ------------------------------------------------------------------------------------------

    @Override
    public String statistics() {
        return call(() -> {
            long since = System.nanoTime() - TimeUnit.SECONDS.toNanos(60);
            int n = Math.min(recorded, latencies.length);
            long[] recent = new long[n];
            int count = 0;
            int failed = 0;
            for (int i = 0; i < n; i++) {
                if (finishedAt[i] - since >= 0) {
                    recent[count++] = latencies[i];
                    if (!passed[i]) {
                        failed++;
                    }
                }
            }
            long inFlight = watches.values().stream().flatMap(w -> w.servers.values().stream())
                    .filter(s -> s.checking).count();
            if (count == 0) {
                return "checks in the last 60 s: 0, in flight " + inFlight;
            }
            java.util.Arrays.sort(recent, 0, count);
            return String.format(java.util.Locale.ROOT, "checks in the last 60 s: %d (%d failed), in flight %d;"
                    + " latency ms p50 %.2f p90 %.2f p99 %.2f max %.2f", count, failed, inFlight,
                    pct(recent, count, 50), pct(recent, count, 90), pct(recent, count, 99),
                    recent[count - 1] / 1e6);
        });
    }

    private static double pct(long[] sorted, int n, int p) {
        return sorted[Math.min(n - 1, (int) Math.ceil(n * p / 100.0) - 1)] / 1e6;
    }

    @Override
    public String load(Path file, boolean parseOnly) throws ConfigException {
        LdirectordConfig next = LdirectordParser.read(file.toAbsolutePath());
        int reals = next.virtuals().stream().mapToInt(v -> v.reals().size()).sum();
        String summary = next.virtuals().size() + " virtual service" + (next.virtuals().size() == 1 ? "" : "s")
                + ", " + reals + " real server" + (reals == 1 ? "" : "s");
        if (parseOnly) {
            return summary;
        }
        try {
            call(() -> {
                reconcile(next, false);
                return null;
            });
        } catch (ConfigWrapper w) {
            throw w.cause;
        }
        remember(next.file());
        return summary;
    }

    private void remember(Path file) {
        if (remembered == null) {
            return;
        }
        try {
            Files.writeString(remembered, file.toString() + "\n");
        } catch (IOException e) {
            LOG.warn("cannot write {}", remembered, e);
        }
    }

    /** Carries a ConfigException out of the monitor's thread. */
    private static final class ConfigWrapper extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient ConfigException cause;

        ConfigWrapper(ConfigException cause) {
            super(cause);
            this.cause = cause;
        }
    }

    @Override
    public Optional<Path> configFile() {
        LdirectordConfig c = config;
        return c == null ? Optional.empty() : Optional.of(c.file());
    }

    @Override
    public Set<ServiceKey> ownedServices() {
        return owned;
    }

    @Override
    public List<CheckStatus> checks() {
        return call(() -> {
            List<CheckStatus> out = new ArrayList<>();
            watches.values().forEach(w -> w.status(out));
            return List.copyOf(out);
        });
    }

    private <T> T call(Callable<T> work) {
        if (thread.isShutdown()) {
            throw new IllegalStateException("the health monitor is stopped");
        }
        try {
            return thread.submit(work).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (TimeoutException e) {
            throw new IllegalStateException("the health monitor did not answer within 30 s");
        }
    }

    // ---- reconciling the table with a file ----------------------------------------------------------------------

    /**
     * Makes the table match a file, in one all-or-nothing batch: services and servers that did not change keep their
     * state and connections. Runs on the monitor's thread; nothing changes if the batch is refused.
     */
    private void reconcile(LdirectordConfig next, boolean allowMissingScheduler) {
        List<TableChange> changes = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        List<Runnable> commit = new ArrayList<>();
        Map<ServiceKey, ServiceWatch> result = new LinkedHashMap<>();
        for (ServiceWatch old : watches.values()) {
            if (next.virtuals().stream().noneMatch(v -> v.key().equals(old.key()))) {
                changes.add(new TableChange.DeleteService(old.key()));
                lines.add(0);
                commit.add(old::stop);
            }
        }
        for (LdirectordConfig.Virtual v : next.virtuals()) {
            ServiceWatch old = watches.get(v.key());
            if (old == null) {
                result.put(v.key(), adopt(v, changes, lines, commit, allowMissingScheduler));
            } else {
                result.put(v.key(), update(old, v, changes, lines, commit, allowMissingScheduler));
            }
        }
        // Owned before the edit, so a rules-file save it triggers already leaves the new services out.
        Set<ServiceKey> before = owned;
        Set<ServiceKey> union = new java.util.HashSet<>(before);
        union.addAll(result.keySet());
        owned = Set.copyOf(union);
        try {
            director.apply(changes);
        } catch (BatchException e) {
            owned = before;
            int line = lines.get(Math.min(e.index(), lines.size() - 1));
            throw new ConfigWrapper(new ConfigException(next.file(), line, e.getCause() != null
                    ? e.getCause().getMessage() : e.getMessage()));
        } catch (TableException e) {
            owned = before;
            throw new ConfigWrapper(new ConfigException(next.file(), 0, e.getMessage()));
        }
        commit.forEach(Runnable::run);
        watches = result;
        config = next;
        owned = Set.copyOf(result.keySet());
        scheduleAutoreload(next);
        result.values().forEach(ServiceWatch::updateFallback);
    }

    /** A service new to the monitor: added, or taken over from the table as it stands. */
    private ServiceWatch adopt(LdirectordConfig.Virtual v, List<TableChange> changes, List<Integer> lines,
                               List<Runnable> commit, boolean allowMissingScheduler) {
        ServiceWatch w = new ServiceWatch(this, v);
        Optional<ServiceStatus> existing = director.service(v.key());
        if (existing.isEmpty()) {
            changes.add(new TableChange.AddService(v.service(), allowMissingScheduler));
            lines.add(v.line());
            for (ServerWatch s : w.servers.values()) {
                int desired = w.desiredWeight(s);
                if (desired >= 0) {
                    changes.add(new TableChange.AddRealServer(v.key(), w.tableConfig(s.real, desired)));
                    lines.add(s.real.line());
                    s.weight = desired;
                }
            }
        } else {
            // Taken over (a restarted monitor, or a service made by hand): servers keep their place and state.
            if (!existing.get().config().equals(v.service())) {
                changes.add(new TableChange.EditService(v.service(), allowMissingScheduler));
                lines.add(v.line());
            }
            Map<String, RealServerStatus> inTable = new HashMap<>();
            for (RealServerStatus r : existing.get().realServers()) {
                String host = r.config().address().getHostAddress();
                inTable.put((host.contains(":") ? "[" + host + "]" : host) + ":" + r.config().port(), r);
            }
            for (ServerWatch s : w.servers.values()) {
                RealServerStatus r = inTable.remove(s.id());
                if (r != null && r.config().weight() > 0) {
                    s.state = ServerWatch.State.UP;
                    s.reason = "in the table when the monitor started";
                }
                if (r != null) {
                    s.adminState = r.adminState();
                }
                int desired = w.desiredWeight(s);
                w.changesFor(s, desired, changes);
                while (lines.size() < changes.size()) {
                    lines.add(s.real.line());
                }
                s.weight = desired;
            }
            boolean fallbackInTable = w.fallback != null && inTable.remove(w.fallback.id()) != null;
            for (RealServerStatus extra : inTable.values()) {
                changes.add(new TableChange.DeleteRealServer(v.key(), extra.config().address(),
                        extra.config().port()));
                lines.add(v.line());
            }
            if (fallbackInTable) {
                w.fallbackActive = true;
                w.fallback.weight = w.fallback.real.weight();
            }
        }
        commit.add(w::start);
        return w;
    }

    /** A service the monitor already watches: only what changed is edited. */
    private ServiceWatch update(ServiceWatch w, LdirectordConfig.Virtual v, List<TableChange> changes,
                                List<Integer> lines, List<Runnable> commit, boolean allowMissingScheduler) {
        if (!w.config.service().equals(v.service())) {
            changes.add(new TableChange.EditService(v.service(), allowMissingScheduler));
            lines.add(v.line());
        }
        LdirectordConfig.Virtual before = w.config;
        Map<String, LdirectordConfig.Real> wanted = new LinkedHashMap<>();
        for (LdirectordConfig.Real r : v.reals()) {
            wanted.put(new ServerWatch(r).id(), r);
        }
        List<ServerWatch> added = new ArrayList<>();
        Map<ServerWatch, LdirectordConfig.Real> changed = new HashMap<>();
        for (ServerWatch s : w.servers.values()) {
            LdirectordConfig.Real r = wanted.get(s.id());
            if (r == null) {
                if (s.weight >= 0) {
                    changes.add(new TableChange.DeleteRealServer(v.key(), s.real.address(), s.real.port()));
                    lines.add(v.line());
                }
                commit.add(() -> {
                    w.stopServer(s);
                    w.servers.remove(s.id());
                });
            } else if (!r.equals(s.real)) {
                changed.put(s, r);
            }
        }
        // Desired weights are worked out with the new settings (quiescent, weights) but applied only on success.
        w.config = v;
        try {
            for (Map.Entry<ServerWatch, LdirectordConfig.Real> e : changed.entrySet()) {
                ServerWatch s = e.getKey();
                LdirectordConfig.Real oldReal = s.real;
                s.real = e.getValue();
                int desired = w.desiredWeight(s);
                w.changesFor(s, desired, changes);
                while (lines.size() < changes.size()) {
                    lines.add(s.real.line());
                }
                s.real = oldReal;
                commit.add(() -> {
                    s.real = e.getValue();
                    s.weight = desired;
                });
            }
            for (Map.Entry<String, LdirectordConfig.Real> e : wanted.entrySet()) {
                if (!w.servers.containsKey(e.getKey())) {
                    ServerWatch s = new ServerWatch(e.getValue());
                    int desired = w.desiredWeight(s);
                    if (desired >= 0) {
                        changes.add(new TableChange.AddRealServer(v.key(), w.tableConfig(s.real, desired)));
                        lines.add(s.real.line());
                    }
                    added.add(s);
                    commit.add(() -> {
                        s.weight = desired;
                        w.servers.put(s.id(), s);
                        w.startServer(s);
                    });
                }
            }
            boolean quiescenceChanged = before.check().quiescent() != v.check().quiescent();
            if (quiescenceChanged) {
                for (ServerWatch s : w.servers.values()) {
                    if (!changed.containsKey(s) && wanted.containsKey(s.id())) {
                        int desired = w.desiredWeight(s);
                        w.changesFor(s, desired, changes);
                        while (lines.size() < changes.size()) {
                            lines.add(v.line());
                        }
                        commit.add(() -> s.weight = desired);
                    }
                }
            }
            LdirectordConfig.Real oldFallback = before.fallback();
            if (!java.util.Objects.equals(oldFallback, v.fallback())) {
                if (w.fallbackActive && w.fallback != null && w.fallback.weight >= 0
                        && !w.servers.containsKey(w.fallback.id())) {
                    changes.add(new TableChange.DeleteRealServer(v.key(), w.fallback.real.address(),
                            w.fallback.real.port()));
                    lines.add(v.line());
                }
                commit.add(() -> {
                    w.fallback = v.fallback() == null ? null : new ServerWatch(v.fallback());
                    w.fallbackActive = false;
                });
            }
        } finally {
            w.config = before;
        }
        commit.add(() -> w.config = v);
        return w;
    }

    // ---- autoreload ---------------------------------------------------------------------------------------------

    private void scheduleAutoreload(LdirectordConfig c) {
        if (autoreload != null) {
            autoreload.cancel(false);
            autoreload = null;
        }
        fileStamp = stamp(c.file());
        if (c.autoreload()) {
            autoreload = thread.scheduleWithFixedDelay(guarded(() -> {
                String now = stamp(c.file());
                if (now == null || now.equals(fileStamp)) {
                    return;
                }
                fileStamp = now;
                try {
                    LdirectordConfig next = LdirectordParser.read(c.file());
                    reconcile(next, false);
                    LOG.info("ldirectord configuration {} reloaded", c.file());
                } catch (ConfigException e) {
                    LOG.error("ldirectord configuration not reloaded, the running one stays: {}", e.getMessage());
                } catch (ConfigWrapper e) {
                    LOG.error("ldirectord configuration not reloaded, the running one stays: {}",
                            e.cause.getMessage());
                }
            }), AUTORELOAD_NANOS, AUTORELOAD_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /** The file's size, modification time and content hash; null when it cannot be read. */
    private static String stamp(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return bytes.length + "/" + Files.getLastModifiedTime(file).toMillis() + "/"
                    + java.util.Arrays.hashCode(bytes);
        } catch (IOException e) {
            return null;
        }
    }
}
