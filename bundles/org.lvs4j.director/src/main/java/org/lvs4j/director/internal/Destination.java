package org.lvs4j.director.internal;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;

import org.lvs4j.api.AdminState;
import org.lvs4j.api.RealServerConfig;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.api.scheduler.SchedulerInstance;

/**
 * A real server of one virtual service: its configuration, admin state and the live counters schedulers read
 * (IPVS's {@code struct ip_vs_dest}). Counters are updated by the connection table on any thread; configuration is
 * written only under the table lock.
 */
final class Destination implements RealServer {

    final InetAddress address;
    final int port;
    final Stats stats = new Stats();
    final AtomicInteger activeConns = new AtomicInteger();
    final AtomicInteger inactiveConns = new AtomicInteger();
    final AtomicInteger persistentConns = new AtomicInteger();
    /** Connections and templates still bound to this server, deleted or not (IPVS's refcnt minus the list's). */
    final AtomicInteger references = new AtomicInteger();

    volatile VirtualService service;
    volatile RealServerConfig config;
    volatile AdminState adminState = AdminState.READY;
    volatile boolean local;
    /** In its service's list; cleared on deletion (IPVS's IP_VS_DEST_F_AVAILABLE). */
    volatile boolean available;
    /** IPVS's IP_VS_DEST_F_OVERLOAD. */
    volatile boolean overloaded;
    volatile int lastWeight;

    Destination(VirtualService service, RealServerConfig config) {
        this.service = service;
        this.address = config.address();
        this.port = config.port();
        this.config = config;
    }

    @Override
    public InetAddress address() {
        return address;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public int weight() {
        return adminState == AdminState.READY ? config.weight() : 0;
    }

    @Override
    public int lastWeight() {
        return lastWeight;
    }

    @Override
    public int activeConns() {
        return activeConns.get();
    }

    @Override
    public int inactiveConns() {
        return inactiveConns.get();
    }

    @Override
    public boolean overloaded() {
        return overloaded;
    }

    int totalConns() {
        return activeConns.get() + inactiveConns.get();
    }

    /** Binding a connection or template (ip_vs_bind_dest): count it and raise OVERLOAD at the upper threshold. */
    void bind(boolean template, boolean active) {
        references.incrementAndGet();
        if (template) {
            persistentConns.incrementAndGet();
        } else if (active) {
            activeConns.incrementAndGet();
        } else {
            inactiveConns.incrementAndGet();
        }
        int u = config.upperThreshold();
        if (u != 0 && totalConns() >= u) {
            overloaded = true;
        }
        countersChanged();
    }

    /**
     * Unbinding (ip_vs_unbind_dest): with a lower threshold the overload ends below it; without one, below 3/4 of
     * the upper threshold; without either, at once.
     */
    void unbind(boolean template, boolean active) {
        if (template) {
            persistentConns.decrementAndGet();
        } else if (active) {
            activeConns.decrementAndGet();
        } else {
            inactiveConns.decrementAndGet();
        }
        RealServerConfig c = config;
        if (c.lowerThreshold() != 0) {
            if (totalConns() < c.lowerThreshold()) {
                overloaded = false;
            }
        } else if (c.upperThreshold() != 0) {
            if ((long) totalConns() * 4 < (long) c.upperThreshold() * 3) {
                overloaded = false;
            }
        } else {
            overloaded = false;
        }
        references.decrementAndGet();
        countersChanged();
    }

    /** A connection moved between ActiveConn and InActConn. */
    void activity(boolean nowActive) {
        if (nowActive) {
            activeConns.incrementAndGet();
            inactiveConns.decrementAndGet();
        } else {
            activeConns.decrementAndGet();
            inactiveConns.incrementAndGet();
        }
        countersChanged();
    }

    /** Lets a scheduler that indexes its servers by load re-position this one. */
    private void countersChanged() {
        VirtualService svc = service;
        SchedulerInstance s = svc == null ? null : svc.scheduler;
        if (s != null) {
            s.countersChanged(this);
        }
    }

    /**
     * Applies an add or edit (the relevant part of __ip_vs_update_dest): last_weight keeps the latest non-zero
     * weight, and OVERLOAD is cleared when the upper threshold is removed or raised.
     */
    void configure(RealServerConfig next, boolean add) {
        if (add || next.weight() != 0) {
            lastWeight = next.weight();
        }
        int oldUpper = config.upperThreshold();
        if (next.upperThreshold() == 0 || next.upperThreshold() > oldUpper) {
            overloaded = false;
        }
        config = next;
        available = true;
    }

    @Override
    public String toString() {
        return config.endpoint();
    }
}
