/*
 * What the monitor does for one virtual service of the file: runs each real server's checks on time, turns results
 * into states, and turns states into table edits.
 *
 * Timing: every server has its own timer; a check starts every checkinterval (or as soon as the previous one ended,
 * if it took longer), so a slow server delays only itself. A check has checktimeout (connect and ping checks) or
 * negotiatetimeout (the service's protocol, external scripts) to answer; later is a failure.
 *
 * States: PENDING until the first result. Failures: failurecount in a row take an UP server DOWN (a PENDING one on
 * the first). Successes: rise in a row bring a server UP. checktype on is always up, off always down.
 *
 * Table: UP is in the table with its configured weight; after a DOWN it ramps up linearly from 1 over slowstart.
 * DOWN (and PENDING) is out of the table, or in it at weight 0 with quiescent. The operator's admin state (drain,
 * maint) is never touched: a server taken out remembers it and gets it back. When every real server is DOWN (or
 * there are none) the fallback server is added, and fallbackcommand runs with "start"; when one comes back the
 * fallback goes and the command runs with "stop". Each change edits only the server concerned, so hand edits of
 * other servers (ipvsadm -e) last until the next reload.
 */
package org.lvs4j.health.internal;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.lvs4j.api.AdminState;
import org.lvs4j.api.ProxyProtocol;
import org.lvs4j.api.RealServerConfig;
import org.lvs4j.api.RealServerStatus;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.ServiceStatus;
import org.lvs4j.api.TableChange;
import org.lvs4j.api.TableException;
import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckStatus;
import org.lvs4j.api.health.CheckTarget;
import org.lvs4j.api.health.HealthCheck;

final class ServiceWatch {

    /** What a service watch needs from the monitor. */
    interface Host {
        /** The monitor's clock, ns. */
        long nanoTime();

        /** Runs a task on the monitor's thread after a delay. */
        java.util.concurrent.ScheduledFuture<?> schedule(Runnable task, long delayNanos);

        /** Runs a task on the monitor's thread. */
        void execute(Runnable task);

        /** The check bundle serving a protocol, or null. */
        HealthCheck check(String protocol);

        /** The service as the table has it now. */
        java.util.Optional<ServiceStatus> service(ServiceKey key);

        /** Applies table edits (all or nothing). */
        void apply(List<TableChange> changes) throws TableException;

        /** Runs the fallback command with one argument, without waiting. */
        void runCommand(String command, String argument, ServiceKey service);

        /** A check finished after {@code nanos}, passing or not. */
        default void checked(long nanos, boolean up) {
        }
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ServiceWatch.class);

    private final Host host;
    LdirectordConfig.Virtual config;
    final Map<String, ServerWatch> servers = new java.util.LinkedHashMap<>();
    ServerWatch fallback;
    boolean fallbackActive;
    private boolean closed;

    ServiceWatch(Host host, LdirectordConfig.Virtual config) {
        this.host = host;
        this.config = config;
        for (LdirectordConfig.Real r : config.reals()) {
            ServerWatch w = new ServerWatch(r);
            servers.put(w.id(), w);
        }
        if (config.fallback() != null) {
            fallback = new ServerWatch(config.fallback());
        }
    }

    ServiceKey key() {
        return config.key();
    }

    LdirectordConfig.Check check() {
        return config.check();
    }

    // ---- timing -------------------------------------------------------------------------------------------------

    /** Starts checking every server, spread over the first interval (at most 1 s) so thousands do not start at once. */
    void start() {
        long spread = Math.min(check().interval().toNanos(), TimeUnit.SECONDS.toNanos(1));
        int i = 0;
        int n = Math.max(1, servers.size());
        for (ServerWatch w : servers.values()) {
            schedule(w, spread * i++ / n);
        }
        updateFallback();
    }

    void startServer(ServerWatch w) {
        schedule(w, 0);
    }

    void stop() {
        closed = true;
        for (ServerWatch w : servers.values()) {
            if (w.next != null) {
                w.next.cancel(false);
            }
        }
    }

    void stopServer(ServerWatch w) {
        if (w.next != null) {
            w.next.cancel(false);
        }
        w.next = null;
    }

    private void schedule(ServerWatch w, long delayNanos) {
        if (closed) {
            return;
        }
        w.next = host.schedule(() -> runCheck(w), delayNanos);
    }

    private void runCheck(ServerWatch w) {
        if (closed || servers.get(w.id()) != w || w.checking) {
            return;
        }
        long started = host.nanoTime();
        LdirectordConfig.Check c = check();
        String type = c.type();
        if (type.equals("on") || type.equals("off")) {
            boolean up = type.equals("on");
            result(w, up ? CheckResult.up("checktype on") : CheckResult.down("checktype off"), true);
            schedule(w, c.interval().toNanos());
            return;
        }
        boolean negotiate = switch (type) {
            case "negotiate", "external" -> true;
            case "combined" -> w.rounds % (c.connects() + 1) == c.connects();
            default -> false;
        };
        w.rounds++;
        String protocol = switch (type) {
            case "ping" -> "ping";
            case "external" -> "external";
            default -> negotiate && !c.service().equals("none") ? c.service() : "connect";
        };
        Duration timeout = negotiate ? c.negotiateTimeout() : c.checkTimeout();
        HealthCheck check = host.check(protocol);
        if (check == null) {
            // Updating a check bundle keeps the last state: a missing bundle is not the server's failure.
            w.reason = "no " + protocol + " check bundle";
            schedule(w, c.interval().toNanos());
            return;
        }
        int port = c.checkPort() > 0 ? c.checkPort() : w.real.port();
        CheckTarget target = new CheckTarget(key().protocol(), new InetSocketAddress(w.real.address(), port),
                new InetSocketAddress(key().address(), key().port()));
        Map<String, String> params = new HashMap<>(c.params());
        params.put("service", protocol);
        if (w.real.request() != null) {
            params.put("request", w.real.request());
            params.put("receive", w.real.receive());
        }
        Instant deadline = Instant.now().plus(timeout);
        w.checking = true;
        java.util.concurrent.CompletableFuture<CheckResult> f;
        try {
            f = check.check(target, Map.copyOf(params), deadline).toCompletableFuture();
        } catch (RuntimeException e) {
            f = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        // A check that overruns its deadline is a failure, whatever it answers later.
        f.completeOnTimeout(CheckResult.down("timeout after " + timeout.toMillis() + " ms"),
                timeout.toMillis() + 50, TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> host.execute(() -> {
                    w.checking = false;
                    CheckResult res = e != null ? CheckResult.down("check failed: " + rootMessage(e))
                            : r != null ? r : CheckResult.down("check gave no result");
                    if (!closed && servers.get(w.id()) == w) {
                        long elapsed = host.nanoTime() - started;
                        host.checked(elapsed, res.up());
                        w.checked(elapsed, res.up());
                        result(w, res, false);
                        schedule(w, Math.max(0, c.interval().toNanos() - elapsed));
                    }
                }));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    // ---- states -------------------------------------------------------------------------------------------------

    private void result(ServerWatch w, CheckResult r, boolean immediate) {
        LdirectordConfig.Check c = check();
        w.reason = r.reason();
        if (r.up()) {
            w.failures = 0;
            w.successes++;
            if (w.state != ServerWatch.State.UP && (immediate || w.successes >= c.rise())) {
                boolean wasDown = w.state == ServerWatch.State.DOWN;
                transition(w, ServerWatch.State.UP);
                if (wasDown && !c.slowStart().isZero()) {
                    w.rampStart = host.nanoTime();
                    ramp(w);
                }
            }
        } else {
            w.successes = 0;
            w.failures++;
            if (w.state == ServerWatch.State.PENDING || w.state == ServerWatch.State.UP
                    && (immediate || w.failures >= c.failureCount())) {
                transition(w, ServerWatch.State.DOWN);
            }
        }
    }

    private void transition(ServerWatch w, ServerWatch.State to) {
        ServerWatch.State from = w.state;
        w.state = to;
        w.since = Instant.now();
        w.rampStart = 0;
        LOG.info("{} {}: {} -> {} ({})", key(), w.id(), from.name().toLowerCase(), to.name().toLowerCase(), w.reason);
        sync(w);
        updateFallback();
    }

    /** The weight the table should have for a server now, or -1 for "not in the table". */
    int desiredWeight(ServerWatch w) {
        if (w.state == ServerWatch.State.UP) {
            int full = w.real.weight();
            if (w.rampStart != 0) {
                long elapsed = host.nanoTime() - w.rampStart;
                long window = check().slowStart().toNanos();
                if (elapsed < window) {
                    return (int) Math.max(1, Math.ceil((double) full * elapsed / window));
                }
                w.rampStart = 0;
            }
            return full;
        }
        return check().quiescent() ? 0 : -1;
    }

    private void ramp(ServerWatch w) {
        if (closed || w.rampStart == 0 || w.state != ServerWatch.State.UP) {
            return;
        }
        sync(w);
        if (w.rampStart != 0) {
            long window = check().slowStart().toNanos();
            long step = Math.max(TimeUnit.MILLISECONDS.toNanos(100), Math.min(TimeUnit.SECONDS.toNanos(1), window / 20));
            host.schedule(() -> ramp(w), step);
        }
    }

    RealServerConfig tableConfig(LdirectordConfig.Real r, int weight) {
        return new RealServerConfig(r.address(), r.port(), r.method(), weight, r.upperThreshold(),
                r.lowerThreshold(), null, ProxyProtocol.NONE);
    }

    /** Brings the table in line with one server's state. */
    void sync(ServerWatch w) {
        List<TableChange> changes = new ArrayList<>();
        int desired = desiredWeight(w);
        changesFor(w, desired, changes);
        apply(changes);
        w.weight = desired;
    }

    /** The edits that give server {@code w} weight {@code desired} (-1: out of the table). */
    void changesFor(ServerWatch w, int desired, List<TableChange> changes) {
        RealServerStatus now = current(w);
        if (desired < 0) {
            if (now != null) {
                w.adminState = now.adminState();
                changes.add(new TableChange.DeleteRealServer(key(), w.real.address(), w.real.port()));
            }
        } else if (now == null) {
            changes.add(new TableChange.AddRealServer(key(), tableConfig(w.real, desired)));
            if (w.adminState != AdminState.READY) {
                changes.add(new TableChange.SetAdminState(key(), w.real.address(), w.real.port(), w.adminState));
            }
        } else if (!now.config().equals(tableConfig(w.real, desired))) {
            changes.add(new TableChange.EditRealServer(key(), tableConfig(w.real, desired)));
        }
    }

    RealServerStatus current(ServerWatch w) {
        return host.service(key()).flatMap(s -> s.realServers().stream()
                .filter(r -> r.config().address().equals(w.real.address()) && r.config().port() == w.real.port())
                .findFirst()).orElse(null);
    }

    private void apply(List<TableChange> changes) {
        if (changes.isEmpty()) {
            return;
        }
        try {
            host.apply(changes);
        } catch (TableException e) {
            // The service or server was changed by hand (ipvsadm); the next reload puts the file's view back.
            LOG.warn("{}: cannot apply {}: {}", key(), changes, e.getMessage());
        }
    }

    private boolean allDown() {
        for (ServerWatch w : servers.values()) {
            if (w.state != ServerWatch.State.DOWN) {
                return false;
            }
        }
        return true;
    }

    /** Adds or removes the fallback server as the real servers' states say. */
    void updateFallback() {
        if (fallback == null || closed) {
            return;
        }
        boolean need = allDown();
        if (need == fallbackActive) {
            return;
        }
        List<TableChange> changes = new ArrayList<>();
        boolean clash = servers.containsKey(fallback.id());
        if (!clash) {
            changesFor(fallback, need ? fallback.real.weight() : -1, changes);
            fallback.weight = need ? fallback.real.weight() : -1;
        }
        fallbackActive = need;
        fallback.state = need ? ServerWatch.State.UP : ServerWatch.State.DOWN;
        fallback.since = Instant.now();
        fallback.reason = need ? "every real server is down" : "a real server is up";
        LOG.info("{}: fallback {} {}", key(), fallback.id(), need ? "in" : "out");
        apply(changes);
        if (config.fallbackCommand() != null) {
            host.runCommand(config.fallbackCommand(), need ? "start" : "stop", key());
        }
    }

    // ---- listing ------------------------------------------------------------------------------------------------

    void status(List<CheckStatus> out) {
        String check = switch (check().type()) {
            case "negotiate" -> check().service().equals("none") ? "connect" : check().service();
            case "combined" -> check().connects() + "x connect+" + check().service();
            default -> check().type();
        };
        for (ServerWatch w : servers.values()) {
            String state = w.state == ServerWatch.State.UP ? (w.rampStart != 0 ? "slowstart" : "up")
                    : w.state == ServerWatch.State.DOWN ? (w.successes > 0 ? "rising" : "down") : "pending";
            out.add(new CheckStatus(key(), w.real.address(), w.real.port(), check, state, Math.max(0, w.weight),
                    w.reason, w.since, w.failures, w.successes, w.latency()));
        }
        if (fallback != null) {
            out.add(new CheckStatus(key(), fallback.real.address(), fallback.real.port(), "fallback",
                    fallbackActive ? "fallback" : "standby", fallbackActive ? fallback.real.weight() : 0,
                    fallback.reason, fallback.since, 0, 0));
        }
    }
}
