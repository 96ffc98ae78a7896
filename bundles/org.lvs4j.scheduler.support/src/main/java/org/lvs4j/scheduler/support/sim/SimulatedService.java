package org.lvs4j.scheduler.support.sim;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.lvs4j.api.Protocol;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.scheduler.Change;
import org.lvs4j.api.scheduler.Flow;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.api.scheduler.SchedulerInstance;
import org.lvs4j.api.scheduler.ServiceContext;

/**
 * One virtual service driven the way the director drives it, without a director: servers are added at the head of
 * the list, every list change and every counter change is reported to the scheduler instance, and binding follows
 * IPVS's {@code ip_vs_bind_dest}/{@code ip_vs_unbind_dest} threshold rules. For scheduler tests, benchmarks and
 * simulations; not thread-safe.
 */
public final class SimulatedService implements ServiceContext {

    private final List<RealServer> list = new ArrayList<>();
    private final Map<String, Long> sysctls = new HashMap<>();
    private ServiceConfig config;
    private long now;
    private final SchedulerInstance instance;
    private int numbered;

    public SimulatedService(Scheduler scheduler) {
        this(scheduler, 0);
    }

    /** A TCP service on 10.255.0.1:80 with the given scheduler flags ({@link ServiceConfig#SCHED_FLAG_1}, ...). */
    public SimulatedService(Scheduler scheduler, int schedulerFlags) {
        try {
            ServiceKey key = new ServiceKey(Protocol.TCP, InetAddress.getByName("10.255.0.1"), 80);
            ServiceConfig plain = ServiceConfig.of(key, "sim");
            this.config = new ServiceConfig(key, "sim", schedulerFlags, false, 0, plain.netmask(), null, false);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        sysctls.put("lblc_expiration", 86400L);
        sysctls.put("lblcr_expiration", 86400L);
        this.instance = scheduler.newInstance(this);
        instance.update(List.of(), Change.RESET); // the director creates the instance on the empty service
    }

    public SchedulerInstance instance() {
        return instance;
    }

    /** Adds a server at the head of the list ({@code ipvsadm -a}); its address is 10.0.x.y from the add count. */
    public SimulatedServer add(String name, int weight) {
        return add(SimulatedServer.numbered(name, ++numbered, weight));
    }

    /** Adds a server with the given address and port at the head of the list. */
    public SimulatedServer add(String name, InetAddress address, int port, int weight) {
        return add(new SimulatedServer(name, address, port, weight));
    }

    private SimulatedServer add(SimulatedServer s) {
        list.add(0, s);
        instance.update(List.copyOf(list), new Change(Change.Kind.ADD, s));
        return s;
    }

    /** {@code ipvsadm -d}. */
    public void remove(SimulatedServer s) {
        if (!list.remove(s)) {
            throw new IllegalArgumentException(s + " is not in the list");
        }
        instance.update(List.copyOf(list), new Change(Change.Kind.REMOVE, s));
    }

    /** {@code ipvsadm -e -w}: the server keeps its place; last_weight keeps the last weight above 0. */
    public void weight(SimulatedServer s, int weight) {
        s.weight = weight;
        if (weight != 0) {
            s.lastWeight = weight;
        }
        instance.update(List.copyOf(list), new Change(Change.Kind.EDIT, s));
    }

    /** {@code ipvsadm -e -x U -y L}: a higher or removed upper threshold clears OVERLOAD, as ip_vs_ctl.c does. */
    public void thresholds(SimulatedServer s, int upper, int lower) {
        if (upper == 0 || upper > s.upperThreshold) {
            s.overloaded = false;
        }
        s.upperThreshold = upper;
        s.lowerThreshold = lower;
        instance.update(List.copyOf(list), new Change(Change.Kind.EDIT, s));
    }

    /** The current list, head first. */
    public List<RealServer> servers() {
        return List.copyOf(list);
    }

    /** A new connection from 192.168.0.1:1024: the pick, or null ("no destination available"). */
    public SimulatedServer pick() {
        return pick(flow(0xc0a80001, 1024));
    }

    public SimulatedServer pick(Flow flow) {
        return (SimulatedServer) instance.pick(flow);
    }

    /** A TCP flow from the IPv4 address {@code client} (host order) and port to this service. */
    public Flow flow(int client, int port) {
        return new SimpleFlow(Protocol.TCP, ipv4(client), port, config.key().address(), config.key().port());
    }

    /** A TCP flow from {@code client} to {@code destination} (lblc and dh hash the destination). */
    public Flow flow(int client, int port, int destination) {
        return new SimpleFlow(Protocol.TCP, ipv4(client), port, ipv4(destination), config.key().port());
    }

    static InetAddress ipv4(int a) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8),
                (byte) a});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Binds a new connection (ip_vs_bind_dest): it starts inactive; the upper threshold may raise OVERLOAD. */
    public void bind(SimulatedServer s) {
        s.inactiveConns++;
        if (s.upperThreshold != 0 && s.activeConns + s.inactiveConns >= s.upperThreshold) {
            s.overloaded = true;
        }
        instance.countersChanged(s);
    }

    /** A connection of {@code s} reached ESTABLISHED: it moves from InActConn to ActiveConn. */
    public void establish(SimulatedServer s) {
        s.inactiveConns--;
        s.activeConns++;
        instance.countersChanged(s);
    }

    /** Unbinds an inactive ({@code active} false) or active connection (ip_vs_unbind_dest's threshold rules). */
    public void unbind(SimulatedServer s, boolean active) {
        if (active) {
            s.activeConns--;
        } else {
            s.inactiveConns--;
        }
        int total = s.activeConns + s.inactiveConns;
        if (s.lowerThreshold != 0) {
            if (total < s.lowerThreshold) {
                s.overloaded = false;
            }
        } else if (s.upperThreshold != 0) {
            if ((long) total * 4 < (long) s.upperThreshold * 3) {
                s.overloaded = false;
            }
        } else {
            s.overloaded = false;
        }
        instance.countersChanged(s);
    }

    /** Sets counters directly (a test's starting point), then reports the change. */
    public void counters(SimulatedServer s, int active, int inactive) {
        s.activeConns = active;
        s.inactiveConns = inactive;
        instance.countersChanged(s);
    }

    /**
     * Random list edits and connection events, checking after each that the scheduler picks exactly what
     * {@code oracle} (the kernel's scan) picks on the same list and counters. Weights 0..5, thresholds, servers
     * removed while their connections go on. Returns how many picks were compared; a mismatch throws with the seed
     * and the step.
     */
    public int compareWith(java.util.function.Function<List<RealServer>, RealServer> oracle, long seed, int steps) {
        java.util.Random rnd = new java.util.Random(seed);
        List<SimulatedServer> gone = new ArrayList<>();
        int compared = 0;
        for (int step = 0; step < steps; step++) {
            int n = list.size();
            int e = rnd.nextInt(100);
            SimulatedServer any = n == 0 ? null : (SimulatedServer) list.get(rnd.nextInt(n));
            if (n < 2 || e < 6 && n < 12) {
                add("s" + step, rnd.nextInt(6));
            } else if (e < 9) {
                remove(any);
                gone.add(any);
            } else if (e < 14) {
                weight(any, rnd.nextInt(6));
            } else if (e < 17) {
                int u = rnd.nextInt(3) == 0 ? 0 : 1 + rnd.nextInt(6);
                thresholds(any, u, u == 0 ? 0 : rnd.nextInt(u));
            } else if (e < 50) {
                RealServer expected = oracle.apply(servers());
                SimulatedServer got = pick();
                compared++;
                if (got != expected) {
                    throw new AssertionError("seed " + seed + " step " + step + ": picked " + got + ", the kernel "
                            + expected + " on " + describe());
                }
                if (got != null) {
                    bind(got);
                }
            } else if (e < 70) {
                if (any.inactiveConns > 0) {
                    establish(any);
                }
            } else if (e < 95) {
                if (any.activeConns > 0 || any.inactiveConns > 0) {
                    unbind(any, any.activeConns > 0 && (any.inactiveConns == 0 || rnd.nextBoolean()));
                }
            } else if (!gone.isEmpty()) {
                SimulatedServer g = gone.get(rnd.nextInt(gone.size()));
                if (g.activeConns > 0 || g.inactiveConns > 0) {
                    unbind(g, g.activeConns > 0);
                }
            }
        }
        return compared;
    }

    private String describe() {
        StringBuilder b = new StringBuilder();
        for (RealServer r : list) {
            SimulatedServer s = (SimulatedServer) r;
            b.append(String.format("%s(w%d a%d i%d%s) ", s, s.weight, s.activeConns, s.inactiveConns,
                    s.overloaded ? " OVERLOAD" : ""));
        }
        return b.toString().trim();
    }

    /** Advances the service's clock. */
    public void advance(long nanos) {
        now += nanos;
    }

    public void sysctl(String name, long value) {
        sysctls.put(name, value);
    }

    @Override
    public ServiceConfig config() {
        return config;
    }

    @Override
    public long sysctl(String name) {
        Long v = sysctls.get(name);
        if (v == null) {
            throw new IllegalArgumentException("unknown sysctl " + name);
        }
        return v;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    /** A flow as a record. */
    public record SimpleFlow(Protocol protocol, InetAddress sourceAddress, int sourcePort,
                             InetAddress destinationAddress, int destinationPort) implements Flow {
    }
}
