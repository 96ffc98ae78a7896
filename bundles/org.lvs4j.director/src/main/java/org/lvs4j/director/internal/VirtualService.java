package org.lvs4j.director.internal;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.api.scheduler.SchedulerInstance;
import org.lvs4j.api.scheduler.ServiceContext;

/**
 * One virtual service (IPVS's {@code struct ip_vs_service}). Fields the data path reads are volatile and hold
 * immutable values; they are written only under the table lock.
 */
public final class VirtualService implements ServiceContext {

    final ServiceKey key;
    final Stats stats = new Stats();
    private final Table table;

    volatile ServiceConfig config;
    /** Real servers in scheduling order: the most recently added first (list_add_rcu at the head). */
    volatile List<Destination> destinations = List.of();
    /** Null while no scheduler of {@code config.scheduler()} is registered. */
    volatile SchedulerInstance scheduler;
    /** The scheduler service {@link #scheduler} came from. */
    volatile org.lvs4j.api.scheduler.Scheduler schedulerSource;
    /** Completed when a scheduler is bound; replaced by a fresh one when the scheduler goes away. */
    volatile CompletableFuture<Void> schedulerReady = new CompletableFuture<>();
    volatile boolean deleted;

    /**
     * Deleted real servers that still have connections (IPVS's dest trash): re-adding the same address and port
     * revives them with their counters.
     */
    final Map<Endpoint, Destination> trash = new HashMap<>();

    VirtualService(Table table, ServiceConfig config) {
        this.table = table;
        this.key = config.key();
        this.config = config;
    }

    /** Address and port of a real server, the key of a destination within its service. */
    record Endpoint(InetAddress address, int port) {
    }

    Destination find(InetAddress address, int port) {
        for (Destination d : destinations) {
            if (d.port == port && d.address.equals(address)) {
                return d;
            }
        }
        return null;
    }

    List<RealServer> schedulerView() {
        return List.copyOf(new ArrayList<RealServer>(destinations));
    }

    @Override
    public ServiceConfig config() {
        return config;
    }

    @Override
    public long sysctl(String name) {
        return table.sysctls().get(name);
    }

    @Override
    public long nanoTime() {
        return table.clock().nanoTime();
    }

    @Override
    public String toString() {
        return key.toString();
    }
}
