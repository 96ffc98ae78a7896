/*
 * The director's state in the Prometheus text exposition format (version 0.0.4), as `promtool check metrics` wants
 * it: each family once, with HELP and TYPE before its samples; counters named *_total; base units (bytes, seconds);
 * label values escaped (backslash, double quote, newline); enumerations as one sample per value, 1 for the current.
 *
 * Virtual services are labelled {protocol, vip, port}, real servers additionally {server, server_port}; packets and
 * bytes carry a direction label (in: client to real server, out: back), as ipvsadm --stats lists them.
 */
package org.lvs4j.web.internal;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.lvs4j.api.AdminState;
import org.lvs4j.api.Counters;
import org.lvs4j.api.RealServerStatus;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.ServiceStatus;
import org.lvs4j.api.ha.HaState;
import org.lvs4j.api.health.CheckLatency;
import org.lvs4j.api.health.CheckStatus;

final class Metrics {

    private Metrics() {
    }

    /** One metric family being written: its samples gathered under one HELP/TYPE header. */
    private static final class Family {
        final String name;
        final String type;
        final String help;
        final List<String> samples = new ArrayList<>();

        Family(String name, String type, String help) {
            this.name = name;
            this.type = type;
            this.help = help;
        }

        void add(String labels, double value) {
            samples.add(name + (labels.isEmpty() ? "" : "{" + labels + "}") + " " + number(value));
        }
    }

    private static final class Families {
        final Map<String, Family> byName = new LinkedHashMap<>();

        Family get(String name, String type, String help) {
            return byName.computeIfAbsent(name, n -> new Family(n, type, help));
        }

        String render() {
            StringBuilder b = new StringBuilder();
            for (Family f : byName.values()) {
                b.append("# HELP ").append(f.name).append(' ').append(f.help).append('\n');
                b.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
                f.samples.forEach(s -> b.append(s).append('\n'));
            }
            return b.toString();
        }
    }

    /** Everything: services and real servers, checks, HA (null when there is no HA module), the JVM. */
    static String render(List<ServiceStatus> services, List<CheckStatus> checks, HaState ha,
                         List<GcPauses.Pauses> pauses) {
        Families m = new Families();
        for (ServiceStatus s : services) {
            String svc = service(s.key());
            counters(m, "lvs4j_virtual_service", "virtual service", svc, s.stats());
            m.get("lvs4j_virtual_service_connections_per_second", "gauge",
                    "New connections per second, IPVS's 2-second estimator.").add(svc, s.rates().conns());
            m.get("lvs4j_virtual_service_scheduler_missing", "gauge",
                    "1 while the service's scheduler is not registered (new connections wait).")
                    .add(svc, s.schedulerMissing() ? 1 : 0);
            for (RealServerStatus r : s.realServers()) {
                String rs = svc + ",server=\"" + escape(r.config().address().getHostAddress()) + "\",server_port=\""
                        + r.config().port() + "\"";
                counters(m, "lvs4j_real_server", "real server", rs, r.stats());
                m.get("lvs4j_real_server_active_connections", "gauge", "Connections in ESTABLISHED (ActiveConn).")
                        .add(rs, r.activeConns());
                m.get("lvs4j_real_server_inactive_connections", "gauge", "Connections in other states (InActConn).")
                        .add(rs, r.inactiveConns());
                m.get("lvs4j_real_server_persistent_connections", "gauge",
                        "Persistence templates pointing at the real server.").add(rs, r.persistentConns());
                m.get("lvs4j_real_server_weight", "gauge", "The real server's weight in the table.")
                        .add(rs, r.config().weight());
                m.get("lvs4j_real_server_overloaded", "gauge", "1 while above its upper connection threshold.")
                        .add(rs, r.overloaded() ? 1 : 0);
                Family admin = m.get("lvs4j_real_server_admin_state", "gauge",
                        "The real server's admin state: 1 for the current one.");
                for (AdminState a : AdminState.values()) {
                    admin.add(rs + ",state=\"" + a.name().toLowerCase(Locale.ROOT) + "\"",
                            r.adminState() == a ? 1 : 0);
                }
            }
        }
        for (CheckStatus c : checks) {
            String rs = service(c.service()) + ",server=\"" + escape(c.address().getHostAddress())
                    + "\",server_port=\"" + c.port() + "\"";
            m.get("lvs4j_check_up", "gauge", "1 while the health check passes (up, or rising towards up).")
                    .add(rs + ",check=\"" + escape(c.check()) + "\"",
                            c.state().equals("up") || c.state().equals("rising") ? 1 : 0);
            m.get("lvs4j_check_consecutive_failures", "gauge", "Failed checks in a row.")
                    .add(rs + ",check=\"" + escape(c.check()) + "\"", c.failures());
            if (!c.check().equals("fallback")) {
                latency(m, rs + ",check=\"" + escape(c.check()) + "\"", c.latency());
            }
        }
        if (ha != null) {
            Family f = m.get("lvs4j_ha_state", "gauge", "The director's HA role: 1 for the current one.");
            for (HaState s : HaState.values()) {
                f.add("state=\"" + s.name().toLowerCase(Locale.ROOT) + "\"", s == ha ? 1 : 0);
            }
        }
        jvm(m, pauses);
        return m.render();
    }

    /** A check's durations as a Prometheus histogram, and its failures as a counter. */
    private static void latency(Families m, String labels, CheckLatency l) {
        Family h = m.get("lvs4j_check_duration_seconds", "histogram",
                "How long health checks took, from start to result.");
        long[] buckets = l.buckets();
        for (int i = 0; i < buckets.length; i++) {
            h.samples.add(h.name + "_bucket{" + labels + ",le=\"" + seconds(CheckLatency.BOUNDS_NANOS[i]) + "\"} "
                    + buckets[i]);
        }
        h.samples.add(h.name + "_bucket{" + labels + ",le=\"+Inf\"} " + l.count());
        h.samples.add(h.name + "_sum{" + labels + "} " + l.sumNanos() / 1e9);
        h.samples.add(h.name + "_count{" + labels + "} " + l.count());
        m.get("lvs4j_check_failures_total", "counter", "Health checks that failed.").add(labels, l.failed());
    }

    private static String seconds(long nanos) {
        return number(nanos / 1e9);
    }

    private static void counters(Families m, String prefix, String what, String labels, Counters c) {
        m.get(prefix + "_connections_total", "counter", "Connections scheduled to the " + what + ".")
                .add(labels, c.conns());
        Family packets = m.get(prefix + "_packets_total", "counter",
                "Packets through the " + what + " (in: from clients, out: to them).");
        packets.add(labels + ",direction=\"in\"", c.inPackets());
        packets.add(labels + ",direction=\"out\"", c.outPackets());
        Family bytes = m.get(prefix + "_bytes_total", "counter",
                "Bytes through the " + what + " (in: from clients, out: to them).");
        bytes.add(labels + ",direction=\"in\"", c.inBytes());
        bytes.add(labels + ",direction=\"out\"", c.outBytes());
    }

    private static void jvm(Families m, List<GcPauses.Pauses> pauses) {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
        Family used = m.get("jvm_memory_used_bytes", "gauge", "Memory used by the JVM, by area.");
        used.add("area=\"heap\"", heap.getUsed());
        used.add("area=\"nonheap\"", nonHeap.getUsed());
        Family committed = m.get("jvm_memory_committed_bytes", "gauge", "Memory committed by the JVM, by area.");
        committed.add("area=\"heap\"", heap.getCommitted());
        committed.add("area=\"nonheap\"", nonHeap.getCommitted());
        if (heap.getMax() >= 0) {
            m.get("jvm_memory_max_bytes", "gauge", "The most memory the JVM may use, by area.")
                    .add("area=\"heap\"", heap.getMax());
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            String label = "gc=\"" + escape(gc.getName()) + "\"";
            m.get("jvm_gc_collections_total", "counter", "Garbage collections, by collector.")
                    .add(label, Math.max(0, gc.getCollectionCount()));
            m.get("jvm_gc_collection_seconds_total", "counter",
                    "Time spent in garbage collection (pauses and concurrent work), by collector.")
                    .add(label, Math.max(0, gc.getCollectionTime()) / 1000.0);
        }
        for (GcPauses.Pauses p : pauses) {
            Family h = m.get("jvm_gc_pause_seconds", "histogram",
                    "Garbage-collection pauses, by collector and action (the JVM reports whole milliseconds).");
            String labels = "gc=\"" + escape(p.gc()) + "\",action=\"" + escape(p.action()) + "\"";
            for (int i = 0; i < GcPauses.BOUNDS.length; i++) {
                h.samples.add(h.name + "_bucket{" + labels + ",le=\"" + number(GcPauses.BOUNDS[i]) + "\"} "
                        + p.buckets()[i]);
            }
            h.samples.add(h.name + "_bucket{" + labels + ",le=\"+Inf\"} " + p.count());
            h.samples.add(h.name + "_sum{" + labels + "} " + p.sumSeconds());
            h.samples.add(h.name + "_count{" + labels + "} " + p.count());
        }
        m.get("process_uptime_seconds", "gauge", "Seconds since the director's JVM started.")
                .add("", ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
    }

    private static String service(ServiceKey k) {
        return "protocol=\"" + k.protocol().name().toLowerCase(Locale.ROOT) + "\",vip=\""
                + escape(k.address().getHostAddress()) + "\",port=\"" + k.port() + "\"";
    }

    /** A label value as the text format wants it. */
    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String number(double v) {
        if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
