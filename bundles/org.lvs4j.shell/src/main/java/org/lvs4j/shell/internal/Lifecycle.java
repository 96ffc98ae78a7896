package org.lvs4j.shell.internal;

import java.util.concurrent.atomic.AtomicBoolean;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.launch.Framework;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's graceful stop, for {@code lvs:stop} and for SIGTERM/SIGINT alike: stop the framework (components
 * stop accepting, drain for up to {@code lvs4j.grace} seconds and save the table as they deactivate), then end the JVM
 * with status 0.
 */
@Component(immediate = true, service = Lifecycle.class)
public class Lifecycle {

    /** Framework property: seconds to drain at stop (default 10). */
    public static final String GRACE = "lvs4j.grace";
    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    private final Framework framework;
    private final String stateDir;
    private final long graceMillis;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Thread hook;

    @Activate
    public Lifecycle(BundleContext context) {
        this.framework = (Framework) context.getBundle(0);
        this.stateDir = context.getProperty("lvs4j.state.dir");
        String grace = context.getProperty(GRACE);
        long g = 10;
        try {
            g = grace == null ? 10 : Long.parseLong(grace.trim());
        } catch (NumberFormatException e) {
            LOG.warn("{}={} is not a number of seconds; using 10", GRACE, grace);
        }
        this.graceMillis = Math.max(0, g) * 1000;
        this.hook = new Thread(this::onSignal, "lvs4j-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Deactivate
    void deactivate() {
        if (!stopping.get()) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down; the hook runs anyway.
            }
        }
    }

    /**
     * {@code lvs:stop}: begins the JVM's shutdown, whose hook stops the framework as for a signal. Stopping the
     * framework first would let the bnd launcher end the JVM with its own status before ours.
     */
    public void stopAsync() {
        Thread.ofPlatform().name("lvs4j-stop").start(() -> System.exit(0));
    }

    /** Shutdown (SIGTERM, SIGINT or lvs:stop): stop gracefully, then end with 0 instead of the signal's 143/130. */
    private void onSignal() {
        if (stopFramework()) {
            removePidFile();
            Runtime.getRuntime().halt(0);
        }
    }

    /** ./lvs4j run writes STATE/lvs4j.pid with the JVM's pid; a clean stop takes it away. */
    private void removePidFile() {
        if (stateDir == null) {
            return;
        }
        java.nio.file.Path pid = java.nio.file.Path.of(stateDir, "lvs4j.pid");
        try {
            if (java.nio.file.Files.readString(pid).trim().equals(Long.toString(ProcessHandle.current().pid()))) {
                java.nio.file.Files.delete(pid);
            }
        } catch (java.io.IOException e) {
            // no pid file (not started by ./lvs4j run) or already gone
        }
    }

    /**
     * A master hands its resources (VIPs, listeners) to the peer before anything drains, so the service moves at
     * once instead of after the drain.
     */
    private void leaveHaPair() {
        try {
            BundleContext context = framework.getBundleContext();
            var ref = context.getServiceReference(org.lvs4j.api.ha.HaModule.class);
            if (ref != null) {
                org.lvs4j.api.ha.HaModule ha = context.getService(ref);
                if (ha != null) {
                    ha.leave();
                    context.ungetService(ref);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("HA: leaving the pair failed: {}", e.toString());
        }
    }

    /** Stops the framework once; true for the caller that did it. */
    private boolean stopFramework() {
        if (!stopping.compareAndSet(false, true)) {
            return false;
        }
        LOG.info("stopping: draining for up to {} s", graceMillis / 1000);
        leaveHaPair();
        try {
            framework.stop();
            framework.waitForStop(graceMillis + 20_000);
        } catch (BundleException e) {
            LOG.error("framework stop failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }
}
